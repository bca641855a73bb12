package io.lockstep.order.raft;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's proposal of agreed time (paper §3.2: the timestamp each stable request carries),
 * bounded by a quorum of clocks so that up to t wrong clocks, the leader's own included, cannot
 * move it.
 *
 * <p>Followers put their wall clock reading (from their latest tick) into every
 * AppendEntriesResponse and HeartbeatResponse, and voters into every RequestVoteResponse, so a
 * new leader holds a quorum of readings from its first entry on. The leader keeps the latest report per follower
 * with the time it received it on its own monotonic clock, and ages the report by the monotonic
 * time elapsed since, so a report a few heartbeats old still estimates that follower's clock
 * now. The leader only knows the time at its ticks, so a report is timed by the first tick
 * <em>after</em> it arrived (until then it counts as brand new): its age is never overestimated,
 * and an aged report never runs ahead of the clock it estimates. Reports older than the
 * election timeout T are ignored: a follower that stopped answering may have crashed, and an old
 * report's estimate grows less precise with drift.
 *
 * <p>The proposal is {@link Quorum#tolerantTime} over the leader's own reading and the fresh
 * aged reports, with t = (members − 1) / 2, clamped to never go below the time of the leader's
 * last log entry. With fewer than t + 1 readings (votes from replicas that had not ticked) it
 * proposes that last time again: agreed time stands still for a round trip rather than leap to
 * whatever the leader's own clock says. A reading of 0 means "no reading yet" (a replica that
 * has not ticked) and is not a sample. The bound this gives is stated in the package
 * documentation.
 */
final class AgreedTime {
  /**
   * A follower's latest clock report and when (leader's monotonic clock) it arrived: the first
   * tick after its arrival, {@link #SINCE_LAST_TICK} until that tick.
   */
  private record Report(long clock, long receivedAt) {}

  private static final long SINCE_LAST_TICK = Long.MIN_VALUE;

  private final long maxAgeMillis;
  private final boolean ownClockOnly;
  private final Map<Integer, Report> reports = new HashMap<>();
  private long ownClock;

  /**
   * @param members the number of members (t = (members − 1) / 2 clocks may be wrong)
   * @param maxAgeMillis reports older than this, by the leader's monotonic clock, are ignored
   * @param ownClockOnly the broken variant for tests: stamp the leader's own clock (bounded only
   *     by the last entry), as this protocol did before it bounded agreed time
   */
  AgreedTime(long maxAgeMillis, boolean ownClockOnly) {
    this.maxAgeMillis = maxAgeMillis;
    this.ownClockOnly = ownClockOnly;
  }

  /**
   * A tick: this replica's monotonic clock reads {@code now} and its wall clock {@code clock}.
   * The wall reading is kept as read, even when it went backwards: it is one sample among a
   * quorum, never the agreed time itself. Reports that arrived since the previous tick are
   * timed by this one.
   */
  void tick(long now, long clock) {
    ownClock = Math.max(0, clock);
    reports.replaceAll((peer, r) ->
        r.receivedAt() == SINCE_LAST_TICK ? new Report(r.clock(), now) : r);
  }

  /** The latest wall clock reading (0: none yet), which this replica reports as a follower. */
  long ownClock() {
    return ownClock;
  }

  /** Follower {@code peer} read {@code clock} on its wall clock; the report just arrived. */
  void report(int peer, long clock) {
    if (clock > 0) {
      reports.put(peer, new Report(clock, SINCE_LAST_TICK));
    }
  }

  /**
   * The agreed time to stamp on an entry appended now.
   *
   * @param now the leader's monotonic clock
   * @param lastTime the time of the leader's last log entry; the result is never below it
   * @param voters the voters of the configuration in force: only their clocks are sampled, and
   *     t = (voters − 1) / 2 of them may be wrong (a learner's or a removed replica's report
   *     counts for nothing, as its vote would not)
   */
  long propose(long now, long lastTime, List<Integer> voters) {
    if (ownClockOnly) {
      return Math.max(ownClock, lastTime);
    }
    int tolerated = (voters.size() - 1) / 2;
    long[] samples = new long[voters.size() + 1];
    int k = 0;
    if (ownClock > 0) {
      samples[k++] = ownClock;
    }
    for (Map.Entry<Integer, Report> entry : reports.entrySet()) {
      if (!voters.contains(entry.getKey())) {
        continue;
      }
      Report report = entry.getValue();
      long age = report.receivedAt() == SINCE_LAST_TICK ? 0 : now - report.receivedAt();
      if (age <= maxAgeMillis) {
        // Aged on the leader's monotonic clock: the follower's clock advanced about as much.
        samples[k++] = report.clock() + Math.max(0, age);
      }
    }
    if (k < tolerated + 1) {
      return lastTime;
    }
    return Math.max(lastTime, Quorum.tolerantTime(Arrays.copyOf(samples, k), tolerated));
  }

  @Override
  public String toString() {
    return "ownClock=" + ownClock + ", clockReports=" + reports;
  }
}
