package io.lockstep.order.pbft;

import io.lockstep.order.SnapshotData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Checkpoints (PBFT §4.3): after every K-th sequence number the replica asks the runtime for the
 * executor's state, signs (seq, SHA-256 of that state, agreed time) and broadcasts the vote; 2t+1
 * matching signed votes make the checkpoint stable, which moves the low watermark up, discards
 * the log below it, and is the proof a view change and a lagging replica rely on. The state
 * itself is kept for the latest stable checkpoint and those after it, for state transfer.
 *
 * <p>The state may come in two steps ({@link Pbft#takesCheckpointStateLater()}): the runtime
 * captures it right after the Ready that executed the checkpoint's sequence number
 * ({@link #onCaptured}), then encodes and digests it off the loop thread and steps it later
 * ({@link #onSnapshot}). Execution goes on meanwhile, within the window: the capture no longer
 * changes, and the vote, which is all that promises the state to others, leaves only with its
 * digest. So the vote is for exactly the state after seq, whenever it is signed. The runtime
 * signs it too, on the thread that digests it ({@link #seal}): everything the vote names but
 * the digest is known at the capture, and an Ed25519 signature on the loop thread was 135 of
 * its 2,504 samples in a steady-state profile (docs/BENCHMARKS.md).
 */
final class Checkpoints {
  /** A checkpoint's identity: what the votes must agree on. */
  record Point(long seq, Digest state, long time) {}

  /** A checkpoint whose state was captured and is being digested: where, and its agreed time. */
  private record Capture(long seq, long time) {}

  private final Pbft p;
  /** Per replica, its votes by sequence number (bounded: a few windows' worth). */
  private final Map<Integer, TreeMap<Long, PbftMessage.CheckpointVote>> votes = new HashMap<>();
  /**
   * This replica's own states by sequence number, for state transfer, each pinned: in the
   * runtime a state is the file its digest thread wrote, which the storage's compaction may
   * unlink once a newer checkpoint's state is saved while this one is still served.
   */
  private final TreeMap<Long, SnapshotData.Pin> states = new TreeMap<>();
  /** The digests of {@link #states} this replica was handed or computed, so none is hashed twice. */
  private final Map<Long, Digest> digests = new HashMap<>();
  /** The 2t+1 votes proving the stable checkpoint (empty before the first). */
  List<PbftMessage.CheckpointVote> stableProof = List.of();
  Point stable = new Point(0, null, 0);
  /** This replica's latest vote, repeated until its checkpoint is stable (votes get lost). */
  PbftMessage.CheckpointVote ownLatest;
  /** Sequence number whose state the executor must hand over next; 0 when none. */
  private long awaiting;
  /** Captured states being digested by the runtime, by the position the capture reported. */
  private final TreeMap<Long, Capture> digesting = new TreeMap<>();

  Checkpoints(Pbft p) {
    this.p = p;
  }

  /** This replica's own state at {@code seq}, or null if it holds none there. */
  SnapshotData state(long seq) {
    SnapshotData.Pin pin = states.get(seq);
    return pin == null ? null : pin.data();
  }

  /** Keeps {@code state} as this replica's own state at {@code seq}, held until dropped. */
  void keep(long seq, SnapshotData state) {
    SnapshotData.Pin old = states.put(seq, state.pin());
    if (old != null) {
      old.release();
    }
  }

  private void forgetStatesBelow(long seq) {
    SortedMap<Long, SnapshotData.Pin> below = states.headMap(seq, false);
    below.values().forEach(SnapshotData.Pin::release);
    below.clear();
  }

  boolean awaitingSnapshot() {
    return awaiting != 0;
  }

  /** How many captured states are being digested (for tests and invariants). */
  int digestsPending() {
    return digesting.size();
  }

  /** The batch at a checkpoint's sequence number executed: its state is wanted. */
  void executedCheckpoint(long seq) {
    awaiting = seq;
  }

  /**
   * The runtime captured the state after {@link #awaiting} at {@code position}; its digest
   * follows. The agreed time is taken now: execution goes on and moves it before the vote.
   */
  void onCaptured(long position) {
    if (awaiting == 0) {
      p.drop("state captured when no checkpoint asked for one");
      return;
    }
    digesting.put(position, new Capture(awaiting, p.executedTime));
    awaiting = 0;
    // A runtime that never hands the digests back must not grow this without bound; the
    // oldest are the first a later stable checkpoint makes useless.
    while (digesting.size() > 2 * p.config.window() / p.config.checkpointInterval() + 2) {
      digesting.pollFirstEntry();
    }
  }

  /**
   * The executor's state after a checkpoint: the one just asked for (handed over at once), or
   * a captured one whose digest arrived. Digest it (or take the runtime's digest), keep it, and
   * vote for it.
   */
  void onSnapshot(long position, SnapshotData data) {
    Capture capture;
    if (awaiting != 0) {
      capture = new Capture(awaiting, p.executedTime);
      awaiting = 0;
    } else {
      capture = digesting.remove(position);
      if (capture == null) {
        return; // a periodic snapshot of the runtime's own: PBFT's checkpoints do not use it
      }
    }
    if (capture.seq() < p.low) {
      // A later checkpoint became stable meanwhile (others' votes, a state transfer): this
      // state is neither served nor voted for any more.
      p.drop("checkpoint state digested after a later checkpoint became stable");
      return;
    }
    Digest digest = Digest.of(data);
    keep(capture.seq(), data);
    digests.put(capture.seq(), digest);
    if (capture.seq() == p.low) {
      ownStable(data, digest); // proven by the others' votes while it was being digested
      return;
    }
    p.membership.executed(capture.seq(), data);
    vote(capture.seq(), digest, capture.time(), data.seal());
  }

  /**
   * What signs the vote for the state captured at {@code position} once the runtime knows its
   * digest, off the loop thread; null if no capture is pending there. It holds only values and
   * the signer, which is thread-safe. A replica that may not vouch when the digest comes back
   * does not send the vote whatever was signed ({@link #vote}).
   */
  io.lockstep.order.CheckpointSeal seal(long position) {
    Capture capture = digesting.get(position);
    if (capture == null) {
      return null;
    }
    io.lockstep.identity.Signer signer = p.config.signer();
    return sha256 -> Signing.checkpointSignature(signer, capture.seq(), new Digest(sha256),
        capture.time());
  }

  /**
   * The index the state captured at {@code position} will be saved at: its checkpoint's last
   * position, as {@link Durable} saves it ({@code position} itself if no capture is pending).
   */
  long stateIndex(long position) {
    Capture capture = digesting.get(position);
    return capture == null ? position : p.lastPosition(capture.seq());
  }

  /**
   * The stable checkpoint's own state arrived after 2t+1 others proved it: it must match (or
   * this replica diverged), and it is now the state to serve and to read the replica set from.
   */
  private void ownStable(SnapshotData state, Digest digest) {
    if (!digest.equals(stable.state())) {
      throw diverged(stable.seq());
    }
    p.membership.stable(stable.seq(), state);
  }

  /** Votes for the state at {@code seq}, with the runtime's signature if it made one. */
  private void vote(long seq, Digest digest, long time, byte[] sealed) {
    if (!p.repair.mayVouch()) {
      return; // it may have voted differently before its storage was damaged (Repair)
    }
    PbftMessage.CheckpointVote vote = sealed == null
        ? Signing.signCheckpoint(p.config.signer(), seq, digest, time)
        : new PbftMessage.CheckpointVote(seq, digest, time, p.self(), sealed);
    ownLatest = vote;
    p.out.broadcast(vote);
    record(vote);
  }

  /**
   * A recovered replica's saved state at {@code seq}, above its stable checkpoint: its vote
   * for it left before the crash and may have been lost with the peers' memories in a
   * cluster-wide crash, so it is signed again (the same facts) and repeated until stable.
   */
  void restoreOwnVote(long seq, SnapshotData state, long time) {
    keep(seq, state);
    p.membership.executed(seq, state);
    ownLatest = Signing.signCheckpoint(p.config.signer(), seq, digestOf(seq), time);
    record(ownLatest);
  }

  /**
   * A damaged replica's saved state at {@code seq}, above its stable checkpoint: kept to serve
   * state transfer, but not voted for while it repairs ({@link Repair}).
   */
  void restoreState(long seq, SnapshotData state) {
    keep(seq, state);
    p.membership.executed(seq, state);
  }

  /**
   * Whether this replica's latest vote names the digest of the state it kept for that sequence
   * number (a map lookup: states whose digest is not known yet are not hashed for it).
   */
  boolean ownVoteMatchesState() {
    Digest kept = ownLatest == null ? null : digests.get(ownLatest.seq());
    return kept == null || kept.equals(ownLatest.state());
  }

  /** The digest of this replica's own state at {@code seq}, hashed at most once. */
  private Digest digestOf(long seq) {
    return digests.computeIfAbsent(seq, s -> Digest.of(state(s)));
  }

  private IllegalStateException diverged(long seq) {
    return new IllegalStateException("replica " + p.self() + " executed to a state at seq "
        + seq + " that differs from the stable checkpoint's 2t+1 votes: it diverged");
  }

  void onVote(PbftMessage.CheckpointVote vote) {
    if (vote.seq() <= p.low || vote.seq() % p.config.checkpointInterval() != 0) {
      p.drop("checkpoint vote below the low watermark or off the interval");
      return;
    }
    if (!p.membership.forSeq(vote.seq()).contains(vote.replica())) {
      p.drop("checkpoint vote from outside its sequence number's configuration");
      return;
    }
    TreeMap<Long, PbftMessage.CheckpointVote> mine = votes.get(vote.replica());
    if (mine != null && mine.containsKey(vote.seq())) {
      return; // already counted (a retransmission), or a second different vote: first stays
    }
    if (!Signing.verify(p.config.signer(), vote)) {
      p.drop("checkpoint vote with a bad signature");
      return;
    }
    record(vote);
  }

  private void record(PbftMessage.CheckpointVote vote) {
    TreeMap<Long, PbftMessage.CheckpointVote> mine =
        votes.computeIfAbsent(vote.replica(), r -> new TreeMap<>());
    mine.put(vote.seq(), vote);
    // A faulty replica may vote for far-off sequence numbers; its oldest votes go first.
    while (mine.size() > 2 * p.config.window() / p.config.checkpointInterval() + 2) {
      mine.pollFirstEntry();
    }
    List<PbftMessage.CheckpointVote> matching = matching(vote);
    if (matching.size() >= p.quorumFor(vote.seq()).quorum() && vote.seq() > p.low) {
      becomeStable(new Point(vote.seq(), vote.state(), vote.time()), matching);
    }
  }

  private List<PbftMessage.CheckpointVote> matching(PbftMessage.CheckpointVote vote) {
    List<PbftMessage.CheckpointVote> out = new ArrayList<>();
    for (int member : p.membership.forSeq(vote.seq()).members()) {
      TreeMap<Long, PbftMessage.CheckpointVote> theirs = votes.get(member);
      PbftMessage.CheckpointVote v = theirs == null ? null : theirs.get(vote.seq());
      if (v != null && v.state().equals(vote.state()) && v.time() == vote.time()) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * A checkpoint proven by 2t+1 signed votes becomes stable: the low watermark moves to it and
   * everything below is discarded; a replica that has not executed that far fetches the state.
   */
  void becomeStable(Point point, List<PbftMessage.CheckpointVote> proof) {
    if (point.seq() <= p.low) {
      return;
    }
    SnapshotData own = state(point.seq());
    if (own != null && !digestOf(point.seq()).equals(point.state())) {
      throw diverged(point.seq());
    }
    stable = point;
    stableProof = List.copyOf(proof.subList(0, p.quorumFor(point.seq()).quorum()));
    p.low = point.seq();
    p.slots.headMap(point.seq(), true).clear();
    forgetStatesBelow(point.seq());
    digests.keySet().removeIf(seq -> seq < point.seq());
    for (TreeMap<Long, PbftMessage.CheckpointVote> theirs : votes.values()) {
      theirs.headMap(point.seq(), true).clear();
    }
    if (p.lastExecuted < point.seq()) {
      p.transfer.fetch(point, proof);
    } else if (own != null) {
      p.membership.stable(point.seq(), own);
    }
    // Executed past it without its state (a restart from a later saved state): the window
    // stays empty until a checkpoint whose state this replica holds is stable.
  }

  /** Whether {@code proof} is 2t+1 valid signed votes from distinct members for one point. */
  boolean proves(long seq, List<PbftMessage.CheckpointVote> proof) {
    PbftConfiguration voters = p.membership.forSeq(seq);
    return proves(seq, proof, voters::contains, p.quorumFor(seq).quorum(), voters.n());
  }

  /**
   * Whether a proof this replica stored itself is intact: at least 2t+1 valid signatures of
   * distinct replicas on one point. A restarted replica may not know which configuration voted
   * for its stable checkpoint (it reads that from the checkpoint's state, which it may have
   * saved only for a later one), and it checked the voters when it took the proof.
   */
  boolean provesStored(long seq, List<PbftMessage.CheckpointVote> proof) {
    return proves(seq, proof, replica -> true, 2 * p.config.t() + 1, proof.size());
  }

  private boolean proves(long seq, List<PbftMessage.CheckpointVote> proof,
      java.util.function.IntPredicate isVoter, int quorum, int most) {
    if (seq == 0) {
      return proof.isEmpty();
    }
    if (proof.size() < quorum || proof.size() > most) {
      return false;
    }
    PbftMessage.CheckpointVote first = proof.get(0);
    java.util.Set<Integer> signers = new java.util.HashSet<>();
    for (PbftMessage.CheckpointVote vote : proof) {
      boolean same = vote.seq() == seq && vote.state().equals(first.state())
          && vote.time() == first.time();
      if (!same || !isVoter.test(vote.replica()) || !signers.add(vote.replica())
          || !Signing.verify(p.config.signer(), vote)) {
        return false;
      }
    }
    return true;
  }
}
