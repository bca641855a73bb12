package io.lockstep.server;

import io.lockstep.order.TimingAssumptions;
import io.lockstep.server.wire.PeerEnvelope;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Watches, at run time, the timing a protocol's order is only correct under
 * ({@link TimingAssumptions}: the paper's logical-clock, real-time and replica-uid schemes assume
 * a bound on message delays, the real-time scheme also one on clock skew δ). Nothing in a real
 * network guarantees them, so instead of misordering silently the replica measures them: every
 * {@link #PROBE_MILLIS} it sends each peer a clock probe stamped with its wall clock on the peer
 * port (behind the protocol's own messages on the same connection, so a probe waits where they
 * wait), the peer echoes it at once with its own clock, and {@link ClockSample} turns the three
 * readings into a delay and a skew that certainly happened.
 *
 * <p>A sample beyond a bound is a violation: counted per kind ({@code
 * lockstep_assumption_violations_total{kind="delay"|"skew"}}), logged with the figures when it
 * starts ({@code event=assumption_violated}) and when a later sample from that peer is within
 * the bound again ({@code event=assumption_restored}), and reported by {@link #problem()} (so
 * {@code /health} answers 503) while it lasts. A peer that stops answering keeps its last
 * report: a crash is allowed under fail-stop, but a delay that never ends is not, and the two
 * look alike from here.
 *
 * <p>The first echo from a peer only proves the connection: probes sent before it may have
 * waited for the connection to be made (seconds, while the peer process starts), which says
 * nothing about the network's delay, so only probes sent after it are judged. Until every peer
 * has echoed once, {@link #problem()} says so: a replica of these schemes cannot order anything
 * before it has heard from every replica, so it is not ready.
 *
 * <p>Thread-safe: the timer probes, peers' I/O threads deliver echoes, the HTTP thread reads.
 */
final class AssumptionWatch {
  /** How often each peer is probed. */
  static final long PROBE_MILLIS = 200;

  private static final System.Logger LOG = System.getLogger(AssumptionWatch.class.getName());

  /** What a violation broke. */
  enum Kind {
    DELAY, SKEW,
    /** The protocol itself found an assumption broken ({@link #protocolReported}). */
    ORDER;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final int self;
  private final TimingAssumptions bounds;
  private final List<Integer> peers;
  private final Map<Integer, Long> firstEcho = new TreeMap<>();
  private final Map<Integer, Map<Kind, String>> active = new TreeMap<>();
  private final long[] violations = new long[Kind.values().length];
  private String protocolReport;

  /**
   * @param peers the other replicas
   * @param bounds what the protocol assumes, or null if it assumes no timing (nothing to watch)
   */
  AssumptionWatch(int self, List<Integer> peers, TimingAssumptions bounds) {
    this.self = self;
    this.peers = List.copyOf(peers);
    this.bounds = bounds;
  }

  /** Whether the protocol assumes any timing, so probes are worth sending. */
  boolean watching() {
    return bounds != null;
  }

  /** The probe to send every peer now. */
  static byte[] probe(long wallClock) {
    return PeerEnvelope.clockProbe(wallClock);
  }

  /** The answer to a peer's probe sent at {@code sentAt}, received now. */
  static byte[] echo(long sentAt, long wallClock) {
    return PeerEnvelope.clockEcho(sentAt, wallClock);
  }

  /** The echo of this replica's probe came back from {@code peer} at {@code arrivedAt}. */
  void echoed(int peer, long sentAt, long peerReceivedAt, long arrivedAt) {
    if (bounds == null) {
      return;
    }
    synchronized (this) {
      Long connected = firstEcho.putIfAbsent(peer, arrivedAt);
      if (connected == null || sentAt < connected) {
        return; // this probe may have waited for the connection, not for the network
      }
    }
    ClockSample.of(sentAt, peerReceivedAt, arrivedAt).ifPresent(s -> judge(peer, s));
  }

  private synchronized void judge(int peer, ClockSample s) {
    Long maxSkew = bounds.maxSkewMillis().isPresent() ? bounds.maxSkewMillis().getAsLong() : null;
    verdict(peer, Kind.DELAY, s.delayAtLeast(maxSkew), bounds.maxDelayMillis(), s);
    if (maxSkew != null) {
      verdict(peer, Kind.SKEW, s.skewAtLeastMillis(), maxSkew, s);
    }
  }

  private void verdict(int peer, Kind kind, long observed, long bound, ClockSample s) {
    Map<Kind, String> mine = active.computeIfAbsent(peer, p -> new EnumMap<>(Kind.class));
    boolean broken = observed > bound;
    String figures = figures(peer, kind, observed, bound, s, broken);
    if (broken) {
      violations[kind.ordinal()]++;
      if (mine.put(kind, figures) == null) {
        LOG.log(Level.WARNING, "event=assumption_violated replica=" + self + " peer=" + peer
            + " kind=" + kind.label() + " observed_ms=" + observed + " bound_ms=" + bound
            + " round_trip_ms=" + s.roundTripMillis() + " reason=\"" + figures + "\"");
      }
    } else if (mine.remove(kind) != null) {
      LOG.log(Level.INFO, "event=assumption_restored replica=" + self + " peer=" + peer
          + " kind=" + kind.label() + " observed_ms=" + observed + " bound_ms=" + bound
          + " round_trip_ms=" + s.roundTripMillis());
    }
  }

  private static String figures(int peer, Kind kind, long observed, long bound, ClockSample s,
      boolean broken) {
    String relation = broken ? "above" : "within";
    String what = kind == Kind.DELAY
        ? "a message to or from replica " + peer + " took at least " + observed + " ms, "
            + relation + " the assumed max delay " + bound + " ms"
        : "replica " + peer + "'s clock differs from this one's by at least " + observed
            + " ms, " + relation + " the assumed skew " + bound + " ms";
    return what + " (round trip " + s.roundTripMillis() + " ms)";
  }

  /**
   * The protocol reported a broken assumption (e.g. a message from a replica it had declared
   * failed, or that a peer suspects this replica while it runs, so it halted): its order may
   * already differ from a peer's, so the report stays until restart, or until the protocol says
   * it was repaired ({@link #protocolRepaired}).
   */
  synchronized void protocolReported(String reason) {
    violations[Kind.ORDER.ordinal()]++;
    LOG.log(Level.ERROR, "event=assumption_violated replica=" + self + " kind=order reason=\""
        + reason + "\"");
    if (protocolReport == null) {
      protocolReport = "the protocol found an assumption broken, its order may differ from its"
          + " peers' (until restart, or until the protocol repairs it): " + reason;
    }
  }

  /**
   * The protocol repaired everything it reported broken (a replica declared failed while it ran
   * halted and was readmitted): the report ends, as a timing report ends with a good sample.
   */
  synchronized void protocolRepaired(String reason) {
    if (protocolReport == null) {
      return;
    }
    protocolReport = null;
    LOG.log(Level.INFO, "event=assumption_restored replica=" + self + " kind=order reason=\""
        + reason + "\"");
  }

  /** Samples that broke a bound of {@code kind} since start. */
  synchronized long violations(Kind kind) {
    return violations[kind.ordinal()];
  }

  /** Why this replica's order may be wrong right now: every violation that still holds. */
  synchronized Optional<String> problem() {
    List<String> reasons = new ArrayList<>();
    List<Integer> silent = peers.stream().filter(p -> !firstEcho.containsKey(p)).toList();
    if (bounds != null && !silent.isEmpty()) {
      reasons.add("replica(s) " + silent + " have not answered a clock probe yet (starting, or"
          + " failed before they started); nothing is ordered without them until they are"
          + " detected failed");
    }
    List<String> broken = new ArrayList<>();
    active.values().forEach(m -> broken.addAll(m.values()));
    if (!broken.isEmpty()) {
      reasons.add("timing assumption broken, requests may be misordered: "
          + String.join("; ", broken) + " (see docs/OPERATIONS.md, The paper's own schemes)");
    }
    if (protocolReport != null) {
      reasons.add(protocolReport);
    }
    return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
  }
}
