package io.lockstep.order.pbft;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.order.SnapshotData;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replica's view of who orders what ({@link MembershipSchedule}), recomputed from the state
 * of each stable checkpoint it holds. While it fetches a stable checkpoint's state it knows no
 * configuration for the sequence numbers above it, so its window is empty until the state is
 * installed: it never counts a certificate in a configuration it has not read.
 */
final class Membership {
  /** Past configurations kept to check proofs of checkpoints below the stable one. */
  private static final int PAST_KEPT = 8;

  private final Pbft p;
  private final ConfigurationReader reader;
  /** The rule; tests switch to {@link MembershipSchedule.Rule#AT_ONCE_FOR_TEST} to see it caught. */
  MembershipSchedule.Rule rule = MembershipSchedule.Rule.AT_BOUNDARY;
  private MembershipSchedule schedule;
  /**
   * The schedule at the highest checkpoint above the stable one that this replica executed
   * itself, or null. It knows who orders the sequence numbers up to one window past that
   * checkpoint, where the stable schedule's knowledge ends (see {@link #forSeq}).
   */
  private MembershipSchedule executed;
  /** First sequence number → the configuration that ordered it, for sequence numbers ≤ low. */
  private final TreeMap<Long, PbftConfiguration> past = new TreeMap<>();
  /** Up to where known pending changes need ordering: see {@link #settleBy()}. */
  private long settleBy;

  Membership(Pbft p, ConfigurationReader reader) {
    this.p = p;
    this.reader = reader;
    this.schedule = MembershipSchedule.at(p.config, 0, ClusterConfiguration.INITIAL);
    past.put(1L, schedule.current());
  }

  /** Whether the replica set can change at all (false under {@link ConfigurationReader#FIXED}). */
  boolean canChange() {
    return reader != ConfigurationReader.FIXED;
  }

  /**
   * The last sequence number that must be ordered for every replica-set change this replica
   * knows of to take effect; the primary fills up to it with null batches when clients send
   * nothing (docs/ARCHITECTURE.md, "Membership changes"). A change ordered at sequence number s
   * is known to the protocol only from the state of the next checkpoint C ≥ s; that state names
   * its boundary E; the executor applies it at its stated position, which lies before the first
   * position of E+K+1. Without the fill, on an idle cluster the change would stay pending until
   * clients sent enough requests to carry the positions that far.
   */
  long settleBy() {
    return canChange() ? settleBy : 0;
  }

  /** A system command executed at {@code seq}: it may be a change; order up to its checkpoint. */
  void systemCommandExecuted(long seq) {
    long k = p.config.checkpointInterval();
    settleBy = Math.max(settleBy, (seq + k - 1) / k * k);
  }

  private void noteBoundaries(MembershipSchedule read) {
    for (long boundary : read.upcoming().keySet()) {
      settleBy = Math.max(settleBy, boundary + p.config.checkpointInterval() + 1);
    }
  }

  /** Whether the schedule is the stable checkpoint's (false while its state is fetched). */
  boolean settled() {
    return schedule.stableSeq() == p.low || reader == ConfigurationReader.FIXED;
  }

  PbftConfiguration current() {
    return schedule.current();
  }

  /** The last sequence number of the window; at most the stable checkpoint while unsettled. */
  long windowEnd() {
    if (reader == ConfigurationReader.FIXED) {
      return Long.MAX_VALUE; // no boundary ever: the window is h + L alone
    }
    return settled() ? schedule.windowEnd() : p.low;
  }

  /** The window's end above a view change's stable checkpoint, as far as this replica knows. */
  long windowEndAbove(long stable) {
    long end = stable + p.config.window();
    for (long boundary : schedule.upcoming().keySet()) {
      if (boundary > stable) {
        return Math.min(end, boundary);
      }
    }
    return end;
  }

  /**
   * The configuration that orders {@code seq}, as far as this replica knows. Above a checkpoint
   * it executed itself, that checkpoint's state decides: a replica whose stable checkpoint lags
   * (its peers' votes for the checkpoints it executed were lost) knows the boundaries only up to
   * one window past it, and would check every later checkpoint's votes, which its peers keep
   * sending, against a configuration that no longer orders there, and never catch up. An
   * executed checkpoint's state is the same at every correct replica (its batches committed), so
   * it is as good a source as a stable one.
   */
  PbftConfiguration forSeq(long seq) {
    if (executed != null && seq > executed.stableSeq()) {
      return executed.forSeq(seq);
    }
    if (seq > schedule.stableSeq()) {
      return schedule.forSeq(seq);
    }
    return forPast(seq);
  }

  private PbftConfiguration forPast(long seq) {
    Map.Entry<Long, PbftConfiguration> e = past.floorEntry(seq);
    return e == null ? past.firstEntry().getValue() : e.getValue();
  }

  /** Whether {@code replica} takes part in ordering now. */
  boolean votes(int replica) {
    return settled() && current().contains(replica);
  }

  /**
   * A recovered replica's stored checkpoint names its voters ({@code Snapshot.members}): its
   * stored proof is checked against them until the state at its stable checkpoint is read.
   * Under {@link ConfigurationReader#FIXED} nothing ever changes and the schedule stays settled.
   */
  void restoreVoters(java.util.List<Integer> voters) {
    if (reader == ConfigurationReader.FIXED || voters.isEmpty()) {
      return;
    }
    schedule = MembershipSchedule.fixed(p.config, PbftConfiguration.of(voters, p.config.t()));
    past.clear();
    past.put(1L, schedule.current());
  }

  /** This replica executed checkpoint {@code seq}, not stable yet: read its configuration. */
  void executed(long seq, SnapshotData state) {
    if (reader == ConfigurationReader.FIXED || seq <= schedule.stableSeq()
        || (executed != null && seq <= executed.stableSeq())) {
      return;
    }
    executed = MembershipSchedule.at(p.config, seq, reader.read(state), rule);
    noteBoundaries(executed);
  }

  /** The stable checkpoint {@code seq}'s state is held: read its configuration. */
  void stable(long seq, SnapshotData state) {
    if (executed != null && executed.stableSeq() <= seq) {
      executed = null;
    }
    if (seq <= schedule.stableSeq()) {
      return;
    }
    ClusterConfiguration read = reader.read(state);
    MembershipSchedule next = MembershipSchedule.at(p.config, seq, read, rule);
    past.put(schedule.stableSeq() + 1, schedule.current());
    for (Map.Entry<Long, PbftConfiguration> e : schedule.upcoming().entrySet()) {
      if (e.getKey() < seq) {
        past.put(e.getKey() + 1, e.getValue());
      }
    }
    // The old schedule may not know who ordered seq: a restarted replica's (restoreVoters)
    // knows no boundary between its saved checkpoint and this one, and one that fetched this
    // state skipped them. seq's own state says, and seq's proof is what view changes carry:
    // checked against the wrong replicas, every view change and new view would be refused and
    // the replica could never join a view again.
    PbftConfiguration ordered = MembershipSchedule.orderedAt(p.config, seq, read, rule);
    if (!ordered.equals(forPast(seq))) {
      past.put(seq, ordered);
    }
    while (past.size() > PAST_KEPT) {
      past.pollFirstEntry();
    }
    schedule = next;
    noteBoundaries(next);
  }
}
