/**
 * The deterministic whole-cluster simulator (X7; a seed replays a run exactly), in the style of
 * TigerBeetle's VOPR.
 *
 * <p>{@link io.lockstep.sim.Simulation#run} runs a cluster of replicas (each a
 * {@link io.lockstep.replica.Replica} around a coordination protocol built by a
 * {@link io.lockstep.sim.CoordinationFactory}, an executor and the example key-value store),
 * closed-loop clients, a network, clocks and disks, all on one thread from one seed. A fault
 * phase injects crashes (some in the middle of an fsync), partitions (symmetric, one-way, leader
 * isolation, bridge), loss, duplication and slowness bursts, clock jumps, wall clocks an hour
 * wrong (up to t replicas, for the rest of the run) and pauses; a liveness phase then heals
 * everything but the wrong clocks and demands progress. Checkers: linearizability of the client
 * history, state digests at equal positions, election safety, committed entries never changed,
 * agreed time monotonic and within the correct clocks' range, liveness.
 * {@link io.lockstep.order.MessageInterceptor} is the seam for misbehaving replicas.
 */
package io.lockstep.sim;
