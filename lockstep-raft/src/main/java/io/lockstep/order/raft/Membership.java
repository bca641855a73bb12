package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The configurations in this replica's log (§4.1): a replica counts quorums in the newest
 * configuration its log holds, committed or not, and falls back to the previous one when a
 * conflicting leader truncates the entry that made it. Entries are tracked as they are appended,
 * truncated, compacted or replaced by a snapshot, so looking a configuration up never scans the
 * log.
 */
final class Membership {
  /** The configuration in force at {@link #baseIndex}: the snapshot's, or the initial one. */
  private List<Integer> base;
  private long baseIndex;
  /** Configuration entries above the base, by log index. */
  private final TreeMap<Long, List<Integer>> entries = new TreeMap<>();
  /**
   * A committed configuration a peer reported ({@link RaftMessage.NotMember}) that this
   * replica's own log has not reached, and its index (0: none). Durable in the hard state
   * ({@link TermAndVote.Removal}): a restarted replica still knows it.
   */
  private List<Integer> reported = List.of();
  private long reportedIndex;

  Membership(List<Integer> initial, Snapshot snapshot) {
    this.base = snapshot == null ? sorted(initial) : sorted(snapshot.members());
    this.baseIndex = snapshot == null ? 0 : snapshot.index();
  }

  /** A recovered replica's configurations: its snapshot's (or the initial one), then its log's. */
  static Membership recover(List<Integer> initial, Snapshot snapshot, RaftLog log) {
    Membership membership = new Membership(initial, snapshot);
    for (long i = log.snapshotIndex() + 1; i <= log.lastIndex(); i++) {
      membership.appended(log.entry(i));
    }
    return membership;
  }

  /** An entry was appended to the log (by this leader, from the leader, or at recovery). */
  void appended(LogEntry entry) {
    if (ConfigEntry.is(entry.request())) {
      entries.put(entry.index(), ConfigEntry.voters(entry.request()));
    }
  }

  /** The log lost every entry from {@code index} on (a conflicting leader overwrote them). */
  void truncatedFrom(long index) {
    entries.tailMap(index, true).clear();
  }

  /** A snapshot replaced the log up to its index; entries after it stay if the log kept them. */
  void installed(Snapshot snapshot, boolean logKept) {
    if (!logKept) {
      entries.clear();
    }
    entries.headMap(snapshot.index(), true).clear();
    base = sorted(snapshot.members());
    baseIndex = snapshot.index();
  }

  /**
   * Entries up to {@code index} (committed, so never truncated) are folded into the base, so
   * the map holds only the few entries above the latest snapshot.
   */
  void compactTo(long index) {
    if (index <= baseIndex) {
      return;
    }
    base = at(index);
    baseIndex = index;
    entries.headMap(index, true).clear();
  }

  /**
   * The newest configuration in the log, the one quorums are counted in; or, while the log is
   * behind it, the committed one a peer reported ({@link #reported}).
   */
  List<Integer> voters() {
    if (reportedIndex > logIndex()) {
      return reported;
    }
    return entries.isEmpty() ? base : entries.lastEntry().getValue();
  }

  /** Log index of the entry that made {@link #voters()}, or the base index. */
  long index() {
    return Math.max(reportedIndex, logIndex());
  }

  private long logIndex() {
    return entries.isEmpty() ? baseIndex : entries.lastKey();
  }

  /**
   * A peer reports that its committed configuration at {@code index}, newer than anything this
   * log holds, is {@code voters}. Until the log reaches that index (the replica was added back
   * and is being caught up) this replica counts that configuration as its own, and so knows it
   * does not vote. Only a committed configuration is reported, and a committed entry is never
   * undone, so taking it early is safe; a crash-fault peer does not lie.
   *
   * @return true if this changed what {@link #voters()} says
   */
  boolean reported(long index, List<Integer> voters) {
    if (index <= index()) {
      return false;
    }
    reported = List.copyOf(voters);
    reportedIndex = index;
    return true;
  }

  /** True while the configuration in force is one a peer reported, not one the log holds. */
  boolean isReported() {
    return reportedIndex > logIndex();
  }

  /** The configuration in force at {@code index} (the newest entry at or below it). */
  List<Integer> at(long index) {
    Map.Entry<Long, List<Integer>> floor = entries.floorEntry(index);
    return floor == null ? base : floor.getValue();
  }

  boolean isVoter(int id) {
    return voters().contains(id);
  }

  /**
   * The largest value a majority of the voters holds (the majority-th largest), for commit
   * indexes and ReadIndex rounds; a voter without a value counts as 0.
   */
  long quorumValue(ToLongFunction<Integer> valueOf) {
    List<Integer> voters = voters();
    long[] values = new long[voters.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = valueOf.applyAsLong(voters.get(i));
    }
    return Quorum.committedIndex(values);
  }

  private static List<Integer> sorted(List<Integer> ids) {
    Integer[] array = ids.toArray(new Integer[0]);
    Arrays.sort(array);
    return List.of(array);
  }

  @Override
  public String toString() {
    return "voters=" + voters() + "@" + index();
  }
}
