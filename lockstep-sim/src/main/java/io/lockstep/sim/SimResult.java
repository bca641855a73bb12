package io.lockstep.sim;

import io.lockstep.check.History;
import java.util.Objects;

/**
 * The outcome of one simulated run.
 *
 * @param seed the seed that replays this run
 * @param ok true when every checker passed
 * @param failure one line saying what failed (null when ok); starts with the checker's name
 *     ({@code linearizability:}, {@code divergence:}, {@code election safety:},
 *     {@code committed entry changed:}, {@code agreed time:}, {@code liveness:},
 *     {@code invariant:}, {@code exception:})
 * @param traceDigest hex SHA-256 of the run's canonical trace: equal for equal seeds and options
 * @param opsOk client operations completed ok
 * @param opsFailed client operations that definitely did not take effect
 * @param opsInfo client operations given up with unknown outcome
 * @param events simulator events executed
 * @param simulatedMillis simulated time the run covered
 * @param faults faults injected during the fault phase
 * @param linearizabilityUnknown true when the checker's search budget ran out (not a failure)
 * @param history the client history the linearizability checker judged
 * @param replaced voters replaced by spares over the run ({@link MembershipPlan}): each failed
 *     for good or was retired, and a committed configuration no longer names it; in
 *     {@link MembershipPlan.Mode#CHANGE_RACE}, the race rounds that reached a second leader
 * @param configurationChanges configuration changes the administrator got ordered
 *     ({@link ConfigurationPlan}); 0 without a plan
 * @param removalRefusals replies, counted per replica, that refused a removed client
 */
public record SimResult(
    long seed, boolean ok, String failure, String traceDigest, int opsOk, int opsFailed,
    int opsInfo, long events, long simulatedMillis, int faults, boolean linearizabilityUnknown,
    History history, int replaced, int configurationChanges, int removalRefusals) {

  public SimResult {
    Objects.requireNonNull(traceDigest, "traceDigest");
    Objects.requireNonNull(history, "history");
    if (ok != (failure == null)) {
      throw new IllegalArgumentException("ok=" + ok + " contradicts failure " + failure);
    }
  }

  /** Client operations recorded, whatever their outcome. */
  public int ops() {
    return opsOk + opsFailed + opsInfo;
  }
}
