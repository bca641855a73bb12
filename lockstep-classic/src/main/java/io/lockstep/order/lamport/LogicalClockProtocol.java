package io.lockstep.order.lamport;

import io.lockstep.order.Coordination;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.Settings;
import io.lockstep.order.stamped.StampedProtocol;
import io.lockstep.order.stamped.StampedCodec;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.stamped.StampedOrder;
import java.util.List;
import java.util.Map;

/**
 * Order by logical clocks (paper §3.2.1) as the runtime finds it, registered as
 * {@code logical-clock}. Its settings, under {@code logical-clock.} in the cluster file:
 *
 * <pre>
 * null-interval-ms     an idle replica broadcasts a null request this often (default 20)
 * max-delay-ms         assumed bound on a message's one-way delay, retransmission included
 *                      (default 100)
 * failure-timeout-ms   silence after which a replica is detected failed; must exceed
 *                      null-interval-ms + max-delay-ms, or a slow replica would be declared
 *                      failed while its messages are still on the way (default 300)
 * start-timeout-ms     how long a replica nobody has heard from yet may take to start before
 *                      it is detected failed; at least failure-timeout-ms (default 3000)
 * resend-ms            unacknowledged broadcasts are retransmitted this often (default 50)
 * max-pending          requests waiting to become stable before proposals are refused as
 *                      busy (default 10000)
 * cluster-started      true once the cluster has run: a replica with an empty data
 *                      directory then rejoins instead of starting afresh (default false)
 * </pre>
 *
 * <p>Assumptions (stated by {@link #check} and refused when they cannot hold): fail-stop
 * failures, at least t+1 replicas, and synchrony good enough for timeouts to detect failures —
 * every message arrives within {@code max-delay-ms}. A replica that stopped and starts again
 * rejoins: it asks a live replica for the state at an ordered join and goes on from there
 * (paper §7.2).
 */
public final class LogicalClockProtocol extends StampedProtocol {
  /** Called by the {@link java.util.ServiceLoader}. */
  public LogicalClockProtocol() {
    super("logical-clock", Map.of(), null);
  }

  @Override
  public List<String> check(ProtocolSetup setup) {
    Settings s = settings(setup);
    s.requireFailStop(setup, "its stability test waits for a larger uid from every replica not"
        + " known to have failed, which only a fail-stop replica's silence makes sound (paper"
        + " §3.2.1); a Byzantine replica can stamp any uid or stay silent undetected");
    s.checkShared();
    return s.problems();
  }

  @Override
  protected Coordination order(Settings settings, ProtocolSetup setup, Recovered recovered) {
    return StampedOrder.halting(settings.config(setup), LogicalClock::new, recovered);
  }

  /** The engine's settings for {@code setup} (already checked). */
  static StampedConfig config(ProtocolSetup setup) {
    return new LogicalClockProtocol().settings(setup).config(setup);
  }

  /** A restarted replica rejoins (paper §7.2; see {@code Integration}). */
  @Override
  protected boolean rejoins() {
    return true;
  }

  @Override
  public ProtocolCodec codec() {
    return StampedCodec.INSTANCE;
  }
}
