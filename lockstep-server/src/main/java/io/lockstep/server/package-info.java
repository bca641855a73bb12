/**
 * The replica server: the real runtime (threads, sockets, disks, clocks, metrics) around the
 * deterministic {@link io.lockstep.replica.Replica}. Start one with
 * {@link io.lockstep.server.ReplicaServer#start} or {@link io.lockstep.server.ReplicaMain}.
 */
package io.lockstep.server;
