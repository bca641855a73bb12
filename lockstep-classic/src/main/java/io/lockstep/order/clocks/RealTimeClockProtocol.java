package io.lockstep.order.clocks;

import io.lockstep.order.Coordination;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.Settings;
import io.lockstep.order.stamped.StampedProtocol;
import io.lockstep.order.stamped.StampedCodec;
import io.lockstep.order.stamped.StampedOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Order by synchronized real-time clocks (paper §3.2.2) as the runtime finds it, registered as
 * {@code real-time}. Its settings, under {@code real-time.} in the cluster file:
 *
 * <pre>
 * test                 I, II or combined (default combined)
 * skew-ms              δ: bound on the difference between two replicas' clocks (default 2)
 * min-delay-ms         the smallest one-way message delay; δ must be below it (default 3)
 * max-delay-ms         bound on a message's one-way delay, retransmission included
 *                      (default 100)
 * delta-ms             Δ: a request reaches every correct replica by local time uid + Δ;
 *                      must exceed max-delay-ms + skew-ms (default 150)
 * null-interval-ms     an idle replica broadcasts a null request this often (default 20)
 * failure-timeout-ms   silence after which a replica is detected failed; must exceed
 *                      null-interval-ms + max-delay-ms (default 300)
 * start-timeout-ms     how long a replica nobody has heard from yet may take to start before
 *                      it is detected failed; at least failure-timeout-ms (default 3000)
 * resend-ms            unacknowledged broadcasts are retransmitted this often (default 50)
 * max-pending          requests waiting to become stable before proposals are refused as
 *                      busy (default 10000)
 * </pre>
 *
 * <p>Assumptions (stated by {@link #check}, refused when they cannot hold): fail-stop failures,
 * at least t+1 replicas, clocks synchronized within δ with δ below the minimum message delay
 * (O2), and delays bounded so that Δ exists. A replica that stopped and starts again rejoins
 * (paper §7.2): it asks a live replica for the state at an ordered join and goes on from there.
 */
public final class RealTimeClockProtocol extends StampedProtocol {
  /** Called by the {@link java.util.ServiceLoader}. */
  public RealTimeClockProtocol() {
    super("real-time", ownDefaults(), "skew-ms");
  }

  private static Map<String, String> ownDefaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("test", "combined");
    d.put("skew-ms", "2");
    d.put("min-delay-ms", "3");
    d.put("delta-ms", "150");
    return d;
  }

  @Override
  public List<String> check(ProtocolSetup setup) {
    Settings s = settings(setup);
    s.requireFailStop(setup, "requests are disseminated by the fail-stop reliable broadcast;"
        + " the Byzantine form, dissemination by signed agreement with Δ covering its t+1"
        + " rounds, is not built");
    test(s);
    s.checkShared();
    long skew = s.nonNegative("skew-ms");
    long minDelay = s.positive("min-delay-ms");
    long maxDelay = s.positive("max-delay-ms");
    long delta = s.positive("delta-ms");
    if (skew >= minDelay) {
      s.problem(name() + ".skew-ms (δ = " + skew + ") must be below min-delay-ms (" + minDelay
          + "): otherwise a request sent after receiving another could get a smaller uid (O2)");
    }
    if (maxDelay < minDelay) {
      s.problem(name() + ".max-delay-ms (" + maxDelay + ") is below min-delay-ms (" + minDelay
          + ")");
    }
    if (delta <= maxDelay + skew) {
      s.problem(name() + ".delta-ms (Δ = " + delta + ") must exceed max-delay-ms + skew-ms ("
          + (maxDelay + skew) + "): test I would call a request stable before it can have"
          + " arrived everywhere");
    }
    return s.problems();
  }

  private static RealTimeClock.Test test(Settings s) {
    String text = s.text("test").toUpperCase(Locale.ROOT);
    for (RealTimeClock.Test test : RealTimeClock.Test.values()) {
      if (test.name().equals(text)) {
        return test;
      }
    }
    s.problem("real-time.test must be I, II or combined, was '" + s.text("test") + "'");
    return RealTimeClock.Test.COMBINED;
  }

  @Override
  protected Coordination order(Settings s, ProtocolSetup setup, Recovered recovered) {
    return new StampedOrder(s.config(setup), new RealTimeClock(test(s), s.positive("delta-ms")),
        recovered);
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
