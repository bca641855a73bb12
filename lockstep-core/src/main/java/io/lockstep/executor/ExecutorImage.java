package io.lockstep.executor;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.machine.ClientId;
import java.util.List;
import java.util.TreeMap;

/**
 * The whole replicated state of an {@link Executor}, as encoded by {@link SnapshotFormat}.
 *
 * @param appliedPosition the last applied position
 * @param time the agreed time at that position
 * @param machine the user state machine's snapshot
 * @param sessions client sessions, sorted by client id
 * @param nextCreation the creation counter for scheduled requests
 * @param scheduled pending time-outs and defaults in firing order
 * @param copies replicated-client copies being matched
 * @param configuration the cluster configuration (paper §7); the initial one in snapshots
 *     written before it existed (versions 1 to 3)
 */
record ExecutorImage(
    long appliedPosition,
    long time,
    byte[] machine,
    List<Session> sessions,
    long nextCreation,
    List<Scheduled> scheduled,
    TreeMap<ClientId, TreeMap<Long, TreeMap<ClientId, byte[]>>> copies,
    ClusterConfiguration configuration) {}
