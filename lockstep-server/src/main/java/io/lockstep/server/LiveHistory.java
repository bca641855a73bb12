package io.lockstep.server;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The last few minutes of one replica's client traffic, for the live cluster page: per time
 * bucket of wall-clock time, the writes and reads it answered with their mean and largest
 * latency, and the most recent leader changes it saw.
 *
 * <p>Why not read these from the Micrometer meters: the Prometheus registry keeps totals and
 * percentiles since start (or over a decaying window), not a series over time, and the page must
 * work without a Prometheus server. A fixed ring of buckets keeps memory constant whatever the
 * load: recording is one bucket update under a lock that only the page's rare reads contend for.
 *
 * <p>Only completed buckets are shown, so a rate is never computed from a partly elapsed bucket.
 */
final class LiveHistory {
  /** Default bucket width: a page refreshing every two seconds gains one point per refresh. */
  static final long BUCKET_MILLIS = 2_000;
  /** Default bucket count: five minutes of history. */
  static final int BUCKETS = 150;
  /** Leader changes remembered (newest kept). */
  static final int LEADER_CHANGES = 16;

  private final long bucketMillis;
  private final int buckets;
  private final LongSupplier wallClock;
  /** Which bucket (wall time / width) each slot holds now; a stale slot is cleared on reuse. */
  private final long[] slotBucket;
  private final long[][] figures;
  private final Deque<LeaderChange> leaderChanges = new ArrayDeque<>();

  /** What is kept per bucket, by index into a slot's figures. */
  private static final int WRITES = 0;
  private static final int WRITE_NANOS = 1;
  private static final int WRITE_MAX = 2;
  private static final int READS = 3;
  private static final int READ_NANOS = 4;
  private static final int READ_MAX = 5;
  private static final int FIGURES = 6;

  /**
   * A leader change this replica saw.
   *
   * @param at wall-clock time it saw it, in epoch milliseconds
   * @param term the term (or view) the new leader leads
   * @param leader the new leader's id
   */
  record LeaderChange(long at, long term, int leader) {}

  /**
   * The completed buckets, oldest first, each array of length {@code buckets - 1}.
   *
   * @param bucketMillis width of a bucket
   * @param end wall time in epoch milliseconds at which the newest bucket shown ends
   * @param writes writes answered per bucket
   * @param writeMeanMicros mean write latency per bucket (0 without writes)
   * @param writeMaxMicros largest write latency per bucket
   * @param reads reads answered per bucket
   * @param readMeanMicros mean read latency per bucket
   * @param readMaxMicros largest read latency per bucket
   */
  record Series(long bucketMillis, long end, long[] writes, long[] writeMeanMicros,
      long[] writeMaxMicros, long[] reads, long[] readMeanMicros, long[] readMaxMicros) {}

  LiveHistory(long bucketMillis, int buckets, LongSupplier wallClock) {
    if (bucketMillis <= 0 || buckets < 2) {
      throw new IllegalArgumentException("need a positive bucket width and at least 2 buckets,"
          + " got " + bucketMillis + " ms x " + buckets);
    }
    this.bucketMillis = bucketMillis;
    this.buckets = buckets;
    this.wallClock = wallClock;
    this.slotBucket = new long[buckets];
    this.figures = new long[buckets][FIGURES];
    Arrays.fill(slotBucket, -1);
  }

  /** The server's history: {@link #BUCKETS} buckets of {@link #BUCKET_MILLIS}. */
  static LiveHistory standard() {
    return new LiveHistory(BUCKET_MILLIS, BUCKETS, System::currentTimeMillis);
  }

  /** A write (a client request this replica ordered) answered {@code nanos} after it arrived. */
  void write(long nanos) {
    record(WRITES, nanos);
  }

  /** A read answered {@code nanos} after it arrived. */
  void read(long nanos) {
    record(READS, nanos);
  }

  private synchronized void record(int kind, long nanos) {
    long[] slot = slot(wallClock.getAsLong() / bucketMillis);
    slot[kind]++;
    slot[kind + 1] += nanos;
    slot[kind + 2] = Math.max(slot[kind + 2], nanos);
  }

  /** The slot of {@code bucket}, cleared if it still held an older bucket. */
  private long[] slot(long bucket) {
    int index = (int) Math.floorMod(bucket, (long) buckets);
    if (slotBucket[index] != bucket) {
      slotBucket[index] = bucket;
      Arrays.fill(figures[index], 0);
    }
    return figures[index];
  }

  /**
   * This replica now sees {@code leader} leading {@code term}. The same leader of the same term
   * again is not a change: a follower forgets the leader for a moment when it asks for
   * pre-votes that fail, and then hears from the same leader.
   */
  synchronized void leaderChanged(long term, int leader) {
    LeaderChange last = leaderChanges.peekLast();
    if (last != null && last.term() == term && last.leader() == leader) {
      return;
    }
    leaderChanges.addLast(new LeaderChange(wallClock.getAsLong(), term, leader));
    while (leaderChanges.size() > LEADER_CHANGES) {
      leaderChanges.removeFirst();
    }
  }

  /** The leader changes remembered, oldest first. */
  synchronized List<LeaderChange> leaderChanges() {
    return List.copyOf(leaderChanges);
  }

  /** Every completed bucket still in the ring, oldest first (empty buckets as zeros). */
  synchronized Series series() {
    long current = wallClock.getAsLong() / bucketMillis;
    int shown = buckets - 1;
    long[][] out = new long[FIGURES][shown];
    for (int i = 0; i < shown; i++) {
      long bucket = current - shown + i;
      int index = (int) Math.floorMod(bucket, (long) buckets);
      if (slotBucket[index] == bucket) {
        copy(figures[index], out, i);
      }
    }
    return new Series(bucketMillis, current * bucketMillis, out[WRITES], out[WRITE_NANOS],
        out[WRITE_MAX], out[READS], out[READ_NANOS], out[READ_MAX]);
  }

  /** Counts as they are, sums turned into means, nanoseconds into microseconds. */
  private static void copy(long[] slot, long[][] out, int i) {
    for (int kind : new int[] {WRITES, READS}) {
      long count = slot[kind];
      out[kind][i] = count;
      out[kind + 1][i] = count == 0 ? 0 : slot[kind + 1] / count / 1_000;
      out[kind + 2][i] = slot[kind + 2] / 1_000;
    }
  }
}
