/**
 * Closed-loop load generation for replicated key-value services.
 *
 * <p>A {@link io.lockstep.bench.LoadGenerator} drives C clients against a
 * {@link io.lockstep.bench.KvTarget}; each client issues its next operation only when the previous
 * one completed, so the offered load adapts to the service (a closed system) and the number of
 * requests in flight never exceeds C. Latencies go into an HdrHistogram at microsecond resolution;
 * the outcome is a {@link io.lockstep.bench.BenchResult}.
 *
 * <p>This package knows nothing of Lockstep or of any peer system: targets for Lockstep, Redis or
 * Apache Ratis live with those integrations, so the same load runs unchanged against each.
 */
package io.lockstep.bench;
