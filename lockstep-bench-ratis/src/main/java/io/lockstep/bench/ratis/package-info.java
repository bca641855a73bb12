/**
 * The peer benchmark: Apache Ratis 3.3.0 under the same closed-loop load as Lockstep.
 *
 * <p>Three Ratis peers run in one JVM on loopback with Ratis's Netty transport, each with its own
 * durable segmented log (fsync before acknowledging, see {@link io.lockstep.bench.ratis.RatisCluster})
 * and the same in-memory key-value state machine as Lockstep's example
 * ({@link io.lockstep.bench.ratis.KvStateMachine}: put, compare-and-set, linearizable get).
 * {@link io.lockstep.bench.ratis.RatisBench} drives it with {@link io.lockstep.bench.LoadGenerator}.
 *
 * <p>This module is built only with the Maven profile {@code ratis}; nothing in the library
 * depends on it.
 */
package io.lockstep.bench.ratis;
