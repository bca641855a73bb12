package io.lockstep.order.raft;

import io.lockstep.order.FailureModel;
import io.lockstep.order.IncarnationTally;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Detects a wiped data directory that nobody announced. A replica whose directory was deleted
 * starts with no hard state, exactly like a replica that never ran; if it then voted, a vote it
 * cast before the wipe could be cast again (two leaders in one term), and if its
 * acknowledgements counted, a committed entry could rest on copies it no longer has.
 *
 * <p>The rule: a replica that finds no hard state picks a new incarnation (from the start's
 * seed: the runtime draws a fresh one at every start) and is <em>unverified</em>: it neither
 * campaigns nor grants a (pre-)vote, and marks its AppendEntries answers "repairing", until
 * t + 1 peers have answered its {@link RaftMessage.IncarnationProbe}. Each peer answers with the
 * incarnation it first heard from this replica, and remembers the probe's if it knew none,
 * durably before it answers (Ready's order). An answer naming another incarnation means the
 * directory was wiped: the replica repairs as if the operator had left a {@code rejoin-empty}
 * file ({@link Repair#onWipeDetected}: catch up to the leader's commit index, and a term census
 * before it votes). If all t + 1 answers name none (or this one), it is a first start.
 *
 * <p>Why t + 1 answers suffice: an incarnation becomes verified only once at least t peers
 * remember it, and any t + 1 peers that a later incarnation asks include one of those (t + t + 1
 * is more than the 2t peers there are), so a wiped verified replica is told. An unverified
 * one never voted or acknowledged anything that counted, so it has nothing to lose. With no
 * peers at all (one voter) there is nobody to ask and the replica is verified at once.
 *
 * <p>A new cluster whose replica never starts would then never elect; so t answers that remember
 * nothing, and silence from the rest for two election timeouts, also make a first start. That
 * leans on timing, as the term census does: a wiped replica whose only remembering peers stay
 * silent that long takes itself for new.
 *
 * <p>The counting is {@link IncarnationTally}'s fail-stop rule, shared with the other
 * protocols (t + 1 answers naming none, one naming another incarnation).
 *
 * <p>Hard states written before this rule carry no incarnation: such a replica has a history,
 * counts as verified, and introduces a new incarnation to its peers with the same probes.
 */
final class WipeCheck {
  private final Raft raft;
  private final long self;
  private boolean verified;
  /** True until t + 1 peers have answered a probe of this start. */
  private boolean introducing;
  private final Map<Integer, Long> known;
  /** The answers of this start (started again after a wipe is found, for the census). */
  private IncarnationTally answered;
  private long probedAt = -1;
  private long firstProbeAt = -1;
  private String finding = "";

  /** Resumes the stored state, or starts a new incarnation when there is none. */
  WipeCheck(Raft raft, TermAndVote stored, boolean hadHardState, long seed) {
    this.raft = raft;
    Incarnations incarnations = stored.incarnations();
    if (incarnations != null) {
      self = incarnations.self();
      verified = incarnations.verified();
      known = new TreeMap<>(incarnations.known());
    } else {
      self = pick(seed);
      verified = hadHardState; // written before incarnations existed: a replica with a history
      known = new TreeMap<>();
    }
    introducing = !verified || incarnations == null;
    answered = tally();
    if (answered.needed() == 0 || raft.bug() == Raft.Bug.SKIP_WIPE_CHECK) {
      verified = true;
      introducing = false;
    }
  }

  /** A nonzero incarnation from the seed, independent of the election timer's draws. */
  private static long pick(long seed) {
    long incarnation = new SplittableRandom(seed ^ 0x1ca7a710f5eedL).nextLong();
    return incarnation == 0 ? 1 : incarnation;
  }

  /** What this replica stores of its incarnations (part of its hard state). */
  Incarnations durable() {
    return new Incarnations(self, verified, known);
  }

  boolean verified() {
    return verified;
  }

  long self() {
    return self;
  }

  /** What the check found, for the operator ("" when nothing). */
  String finding() {
    return finding;
  }

  /** A tally over the voters other than this replica (t + 1 answers are needed). */
  private IncarnationTally tally() {
    int voters = raft.membership().voters().size();
    return IncarnationTally.of(FailureModel.FAIL_STOP, self, raft.peers().size(),
        voters - Quorum.majority(voters));
  }

  /** Probes the peers that have not answered yet, once per election timeout. */
  void tick(long now) {
    if (!introducing) {
      return;
    }
    if (firstProbeAt < 0) {
      firstProbeAt = now;
    }
    maybeFirstStart(now);
    if (probedAt >= 0 && now - probedAt < raft.config().electionTimeoutMillis()) {
      return;
    }
    probedAt = now;
    RaftMessage probe = new RaftMessage.IncarnationProbe(raft.term(), self);
    raft.peers().stream().filter(p -> !answered.answered(p)).forEach(p -> raft.send(p, probe));
  }

  /** A peer introduces itself: remember its first incarnation, answer with what we knew. */
  void onProbe(int from, RaftMessage.IncarnationProbe probe) {
    long remembered = known.getOrDefault(from, 0L);
    if (remembered == 0) {
      if (known.size() >= Incarnations.MAX_KNOWN) {
        raft.drop("incarnation of " + from + ": already " + known.size() + " remembered");
        return;
      }
      known.put(from, probe.incarnation());
      raft.persistHardState(); // durable before the answer leaves (Ready's order)
    }
    raft.send(from, new RaftMessage.IncarnationAnswer(raft.term(), remembered));
  }

  /** A peer's answer to our probe. */
  void onAnswer(int from, RaftMessage.IncarnationAnswer answer) {
    if (!introducing) {
      return;
    }
    if (!raft.peers().contains(from)) {
      // Only voters' memories make the t + 1 that must meet every other t + 1.
      raft.drop("incarnation answer from " + from + ", not a voter of this configuration");
      return;
    }
    answered.answer(from, answer.remembered());
    if (!verified && answered.verdict(false) == IncarnationTally.Verdict.WIPED) {
      finding = "replica " + from + " remembers incarnation " + hex(answer.remembered())
          + " of replica " + raft.self() + ", but this data directory is incarnation "
          + hex(self) + ", created empty at this start: the directory was wiped or replaced"
          + " without a rejoin-empty file; rejoining as a repairing replica (no vote until it"
          + " has caught up and taken a term census)";
      verified = true;
      raft.repair().onWipeDetected(finding);
      raft.persistHardState();
      // Ask every peer again: in a healthy cluster only the leader writes to a follower, so the
      // term census would otherwise wait for an election to hear t + 1 peers.
      answered = tally();
      probedAt = -1;
      return;
    }
    if (answered.answers() >= answered.needed()) {
      introducing = false;
      if (!verified) {
        verified = true;
        raft.persistHardState();
      }
    }
    maybeFirstStart(raft.now());
  }

  /**
   * A new cluster with a replica that never starts must still elect: t answers (a majority with
   * this replica) that remember nothing, and no other answer for two election timeouts since
   * the first probe, also make a first start. This leans on timing, as the term census does: a
   * live peer that remembers this replica answers within two election timeouts.
   */
  private void maybeFirstStart(long now) {
    boolean waited = firstProbeAt >= 0
        && now - firstProbeAt >= 2 * raft.config().electionTimeoutMillis();
    if (verified || answered.verdict(waited) != IncarnationTally.Verdict.FIRST_START) {
      return;
    }
    verified = true;
    raft.persistHardState();
  }

  private static String hex(long incarnation) {
    return String.format("%016x", incarnation);
  }

  @Override
  public String toString() {
    return (verified ? "verified" : "unverified") + " incarnation " + hex(self)
        + (introducing ? ", " + answered.answers() + "/" + answered.needed() + " answers" : "");
  }
}
