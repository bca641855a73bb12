package io.lockstep.order.pbft;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What one replica knows about one sequence number inside its window: the pre-prepare it
 * accepted in the current view, the prepares and commits it received (by view and digest), the
 * batch contents it holds by digest, and the P and Q facts a view change reports (§4.4).
 */
final class Slot {
  /**
   * A (view, digest) pair that prepares and commits are counted under. Equality is written out:
   * every prepare and commit looks one up on the loop thread, and the record's generated
   * equality goes through method handles.
   */
  record Vote(long view, Digest digest) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Vote v && view == v.view && digest.equals(v.digest);
    }

    @Override
    public int hashCode() {
      return 31 * Long.hashCode(view) + digest.hashCode();
    }
  }

  /** Most distinct digests remembered as pre-prepared (Q) at one sequence number. */
  private static final int MAX_Q = 8;

  final long seq;
  /** View and digest of the pre-prepare accepted in {@link #acceptedView}, or null. */
  Digest accepted;
  long acceptedView = -1;
  /** A pre-prepare of the current view held back until its requests arrive from clients. */
  PbftMessage.PrePrepare waiting;
  final Map<Vote, Set<Integer>> prepares = new HashMap<>();
  final Map<Vote, Set<Integer>> commits = new HashMap<>();
  final Map<Digest, Batch> contents = new HashMap<>();
  /** Latest view this replica sent a commit in (-1: none), and for which digest. */
  long commitSentView = -1;
  Digest commitSent;
  boolean prepareSent;
  /**
   * When this replica last sent its own message here (pre-prepare, prepare or commit), on the
   * monotonic clock: {@link Retransmit} repeats only what has been out for a whole period.
   */
  long sentAt = Long.MIN_VALUE / 4; // long ago, and now − sentAt cannot overflow
  /** When this replica executed here (-1: not yet): a status behind it gets a fill only later. */
  long executedAt = -1;
  /**
   * The view in which 2t+1 commits of the accepted digest were seen here (-1: none yet): counts
   * only grow within a view, so {@link Retransmit} stops counting them once they are enough.
   */
  long finishedView = -1;
  /** P: the latest prepared certificate this replica holds here. */
  PbftMessage.Prepared prepared;
  /** Q: digest → latest view it was pre-prepared in, at most {@link #MAX_Q}. */
  final Map<Digest, Long> prePrepared = new LinkedHashMap<>();
  /**
   * Who told this replica it executed which batch here (a {@link PbftMessage.Fill} is sent only
   * for an executed sequence number): one claim per sender, so a liar's many claims take one
   * entry.
   */
  final Map<Integer, Digest> executedBy = new HashMap<>();
  /** The digest known committed (2t+1 matching commits and the content), or null. */
  private Digest committed;
  /** The digest this replica executed here, or null (a committed batch never changes). */
  private Digest executedDigest;
  /** Told of every change to the two digests above: the slot invariants check only those. */
  private final ChangedSlots changes;

  Slot(long seq, ChangedSlots changes) {
    this.seq = seq;
    this.changes = changes;
  }

  /** The digest known committed here, or null. */
  Digest committed() {
    return committed;
  }

  /** The digest this replica executed here, or null. */
  Digest executedDigest() {
    return executedDigest;
  }

  /** {@code digest} is known committed here. */
  void commit(Digest digest) {
    committed = digest;
    changes.add(this);
  }

  /** This replica executed {@code digest} here. */
  void execute(Digest digest) {
    executedDigest = digest;
    changes.add(this);
  }

  /** Accepts a pre-prepare for {@code batch} in {@code view}. */
  void accept(long view, Batch batch, Digest digest) {
    accepted = digest;
    acceptedView = view;
    waiting = null;
    prepareSent = false;
    contents.put(digest, batch);
    prePrepared.remove(digest);
    prePrepared.put(digest, view);
    while (prePrepared.size() > MAX_Q) {
      prePrepared.remove(prePrepared.keySet().iterator().next());
    }
  }

  /**
   * The digest of {@code batch}: the one an equal batch is held under here, else hashed. A
   * replica catching up gets the same batch in a Fill from each peer, decoded anew each time;
   * equal batches have one canonical encoding, so comparing content (a few held at most) spares
   * hashing every copy.
   */
  Digest digestOf(Batch batch) {
    for (Map.Entry<Digest, Batch> held : contents.entrySet()) {
      if (held.getValue().equals(batch)) {
        return held.getKey();
      }
    }
    return batch.digest();
  }

  /** Counts {@code replica}'s prepare; returns how many distinct replicas prepared the same. */
  int addPrepare(long view, Digest digest, int replica) {
    Set<Integer> from = prepares.computeIfAbsent(new Vote(view, digest), v -> new HashSet<>());
    from.add(replica);
    return from.size();
  }

  /** Counts {@code replica}'s commit; returns how many distinct replicas committed the same. */
  int addCommit(long view, Digest digest, int replica) {
    Set<Integer> from = commits.computeIfAbsent(new Vote(view, digest), v -> new HashSet<>());
    from.add(replica);
    return from.size();
  }

  /** How many distinct replicas committed ({@code view}, {@code digest}) here. */
  int commits(long view, Digest digest) {
    return commits.getOrDefault(new Vote(view, digest), Set.of()).size();
  }

  /** Prepares for ({@code view}, {@code digest}) from replicas other than {@code primary}. */
  int preparesExcluding(long view, Digest digest, int primary) {
    Set<Integer> from = prepares.getOrDefault(new Vote(view, digest), Set.of());
    return from.size() - (from.contains(primary) ? 1 : 0);
  }

  /** A digest that {@code quorum} replicas committed in one view, or null. */
  Digest commitQuorum(int quorum) {
    Digest found = null;
    for (Map.Entry<Vote, Set<Integer>> e : commits.entrySet()) {
      if (e.getValue().size() >= quorum) {
        if (found != null && !found.equals(e.getKey().digest())) {
          throw new IllegalStateException("two commit certificates at seq " + seq + ": "
              + found + " and " + e.getKey().digest() + " (more than t replicas are faulty,"
              + " or the protocol is broken)");
        }
        found = e.getKey().digest();
      }
    }
    return found;
  }

  /**
   * Counts {@code replica}'s claim that it executed {@code digest} here; returns how many
   * distinct replicas claim the same. A later claim from one sender replaces its earlier one (a
   * correct replica never changes it: a committed batch never changes).
   */
  int addExecutedClaim(int replica, Digest digest) {
    executedBy.put(replica, digest);
    int same = 0;
    for (Digest claimed : executedBy.values()) {
      if (claimed.equals(digest)) {
        same++;
      }
    }
    return same;
  }

  /** Whether any prepare, commit or pre-prepare names {@code digest} here. */
  boolean names(Digest digest) {
    if (digest.equals(accepted)) {
      return true;
    }
    for (Vote vote : commits.keySet()) {
      if (vote.digest().equals(digest)) {
        return true;
      }
    }
    return false;
  }
}
