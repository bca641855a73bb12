package io.lockstep.order.pbft;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which replicas have gone silent, and for how long: the F of the combining condition
 * P − F > Enuf (paper §7) for Byzantine replicas.
 *
 * <p>Each replica measures its own silence for every peer: the time since it last received an
 * authenticated message from it (the runtime hands the protocol only messages whose channel
 * authenticated the sender). It reports these in every {@link PbftMessage.Status}. A replica
 * is counted silent for {@code d} only if t+1 replicas (this one included) each say it has been
 * silent at least {@code d}: the (t+1)-th longest of the reports. Up to t replicas may lie, so
 * one replica's word is no evidence (paper C1: a correct replica must not be taken as failed on
 * weaker evidence than the failure model allows), while t+1 reports include a correct
 * replica's. The same count protects the other way: t liars claiming they hear a silent replica
 * cannot hide it, because the t+1 correct replicas that do not hear it are enough.
 *
 * <p>A report counts while it is fresh (received within {@link #STALE_PERIODS} status periods);
 * a replica that stopped sending reports is silent itself, and its last word about the others
 * must not outlive it. Deterministic: time is the protocol's monotonic tick.
 */
final class Silence {
  /** Status periods after which a peer's report no longer counts. */
  static final int STALE_PERIODS = 10;

  /** A peer's report as received: what it said, and when (this replica's clock). */
  private record Report(Map<Integer, Long> silentMillis, long receivedAt) {}

  private final long staleAfterMillis;
  private final Map<Integer, Long> lastHeard = new HashMap<>();
  private final Map<Integer, Report> reports = new HashMap<>();
  /**
   * When silence starts to count for peers not heard from yet: the first message from any
   * peer after the first tick (the network works from then on), -1 before. A runtime ticks
   * its protocol before its peer connections are up (seconds, on a loaded machine), and
   * counting from the first tick would report every peer silent for that long.
   */
  private long started = -1;
  private boolean ticked;
  /** How long after {@link #started} a member never heard starts to count as silent. */
  private long startGraceMillis;
  /** Counts changes to what {@link #evidenced} reads besides the clock. */
  private long version;

  /** @param statusPeriodMillis how often replicas send their status (and so their report) */
  Silence(long statusPeriodMillis) {
    this.staleAfterMillis = STALE_PERIODS * statusPeriodMillis;
  }

  /**
   * Lets a member never heard since this replica started count as silent only from
   * {@code millis} after the first message heard, not from that message: replica processes
   * start seconds apart, and one still starting has not failed. A member that ran and went
   * silent is not concerned: its silence counts from the last message heard, as before.
   */
  void startGrace(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("the start grace must not be negative, was " + millis);
    }
    this.startGraceMillis = millis;
    version++;
  }

  /**
   * Changes whenever anything {@link #evidenced} reads, other than its {@code now}, changes:
   * with the same version and the same arguments it returns the same answer
   * ({@link ReportedConfiguration} keeps it until then).
   */
  long version() {
    return version;
  }

  /** The first tick: from the next message heard on, silence counts. */
  void start() {
    ticked = true;
  }

  /** An authenticated message from {@code from} arrived at {@code now} (-1 before a tick). */
  void heard(int from, long now) {
    if (ticked && now >= 0) {
      Long before = lastHeard.put(from, now);
      if (before == null || before != now) {
        version++; // heard anew since the clock last moved: not on every message
      }
      if (started < 0) {
        started = now;
      }
    }
  }

  /**
   * Whether {@code from} fell silent here: this replica heard it once, but not within
   * {@code bound} ms of {@code now}. A spare that served and failed in turn is such a replica
   * and must not be chosen to join again. One never heard is not taken as silent: a spare
   * sends only to the members of the configuration it knows, so a member that joined since may
   * never hear it.
   */
  boolean fellSilent(int from, long now, long bound) {
    Long last = lastHeard.get(from);
    return last != null && now - last > bound;
  }

  /** {@code from}'s silence report arrived at {@code now}. */
  void report(int from, Map<Integer, Long> silentMillis, long now) {
    if (now >= 0) {
      reports.put(from, new Report(silentMillis, now));
      version++;
    }
  }

  /** This replica's own report: how long each other member has been silent here. */
  Map<Integer, Long> own(Collection<Integer> members, int self, long now) {
    Map<Integer, Long> out = new TreeMap<>();
    if (started < 0) {
      return out;
    }
    for (int member : members) {
      if (member != self) {
        Long last = lastHeard.get(member);
        out.put(member, Math.max(0, last != null ? now - last
            : now - started - startGraceMillis));
      }
    }
    return out;
  }

  /**
   * For each member other than {@code self}, how long t+1 of the members (this replica and
   * peers with fresh reports) agree it has been silent: 0 with fewer than t+1 reports. A
   * member's report about itself is not asked.
   */
  Map<Integer, Long> evidenced(Collection<Integer> members, int self, int t, long now) {
    Map<Integer, Long> own = own(members, self, now);
    Map<Integer, Long> out = new TreeMap<>();
    // Primitive values and their own sort: this runs about once a millisecond under load, and
    // a List<Long> sorted here boxed every value and ran the JVM's shared object sort (TimSort),
    // whose compiled code is thrown away whenever its callers' array types change.
    long[] said = new long[members.size() + 1];
    for (int member : own.keySet()) {
      int count = 0;
      said[count++] = own.get(member);
      for (int reporter : members) {
        Report report = reports.get(reporter);
        if (reporter != self && reporter != member && report != null
            && now - report.receivedAt() <= staleAfterMillis) {
          said[count++] = report.silentMillis().getOrDefault(member, 0L);
        }
      }
      Arrays.sort(said, 0, count);
      out.put(member, count > t ? said[count - 1 - t] : 0L); // the (t+1)-th longest
    }
    return out;
  }
}
