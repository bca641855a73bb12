package io.lockstep.order.pbft;

import io.lockstep.order.FailureModel;
import io.lockstep.order.IncarnationTally;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Detects a wiped data directory that nobody announced with a {@code rejoin-empty} file. A PBFT
 * replica whose directory was deleted starts with nothing, like one that never ran; voting then
 * could contradict a prepare, commit or view change it sent before the wipe, which turns a
 * correct replica into a faulty one (with t others faulty, safety is gone).
 *
 * <p>A replica that finds no hard state picks an <em>incarnation</em> from the start's seed (the
 * runtime draws a new one at every start) and is <em>unverified</em>: it votes and vouches for
 * nothing ({@link Repair#mayVote}) and sends {@link PbftMessage.IncarnationProbe} to the members
 * that have not answered, once per retransmission period. A replica that remembers no
 * incarnation of the asker stores this one, durably before its answer leaves (the same Ready),
 * and answers with what it remembered before. {@link IncarnationTally}'s Byzantine rule decides:
 * t+1 answers naming another incarnation prove a wipe (one of them is correct), and the replica
 * enters {@link Repair} (no vote until it has executed past a proven checkpoint plus the window,
 * and no view change at or below any view t+1 peers report); 2t+1 answers naming none make a
 * first start; 2t answers naming none and two request time-outs since the first probe make one
 * too (a new cluster with a replica that never starts must still order). Every other outcome
 * keeps it unverified and asking: t liars can neither push a new replica into repair nor hide a
 * wipe from it.
 *
 * <p>Off in replicas built without a seed (the scripted tests' fresh
 * replicas); a replica whose storage was damaged or announced wiped repairs anyway and counts
 * as verified; a hard state written before incarnations existed counts as verified and
 * introduces a new incarnation with the same probes. Every replica answers probes, on or off.
 */
final class WipeCheck {
  private final Pbft p;
  /** This data directory's incarnation; 0 while the check is off and none was introduced. */
  private long self;
  private boolean verified = true;
  /** True until the answers of this start decided (or, when verified, until q answered). */
  private boolean introducing;
  private final Map<Integer, Long> known = new TreeMap<>();
  private IncarnationTally tally;
  private long probedAt = -1;
  private long firstProbeAt = -1;
  /** Whether the durable part changed since the last hard state was written. */
  private boolean dirty;

  WipeCheck(Pbft p) {
    this.p = p;
  }

  /**
   * Resumes what {@code state} stored, or starts a new incarnation from {@code seed} (null: the
   * check is off) when there is none. {@code hadHistory}: a hard state or damage was found, so
   * this start is not an unannounced wipe.
   */
  void restore(DurableState state, boolean hadHistory, Long seed) {
    known.putAll(state.known());
    if (state.incarnation() != 0) {
      self = state.incarnation();
      verified = state.verified();
      introducing = !verified;
    } else if (seed != null) {
      self = pick(seed);
      verified = hadHistory;
      introducing = true;
      dirty = true;
    }
    if (introducing) {
      tally = IncarnationTally.of(FailureModel.BYZANTINE, self, peers().size(),
          p.membership.current().t());
      if (tally.verdict(false) == IncarnationTally.Verdict.FIRST_START) {
        decided();
      }
    }
  }

  /** A nonzero incarnation from the seed, independent of every other draw from it. */
  private static long pick(long seed) {
    long incarnation = new SplittableRandom(seed ^ 0x1ca7a710f5eedL).nextLong();
    return incarnation == 0 ? 1 : incarnation;
  }

  long incarnation() {
    return self;
  }

  /** Whether this start may vote: false until the answers decided. */
  boolean verified() {
    return verified;
  }

  Map<Integer, Long> known() {
    return known;
  }

  /** Whether the stored part changed since {@link #written()}. */
  boolean dirty() {
    return dirty;
  }

  void written() {
    dirty = false;
  }

  /** The members this replica asks: its configuration's, itself excluded. */
  private List<Integer> peers() {
    return p.membership.current().members().stream().filter(m -> m != p.self()).toList();
  }

  /** Probes the members that have not answered, once per retransmission period. */
  void onTick() {
    if (!introducing) {
      return;
    }
    if (firstProbeAt < 0) {
      firstProbeAt = p.now;
    }
    decide();
    if (!introducing || probedAt >= 0 && p.now - probedAt < p.config.retransmitMs()) {
      return;
    }
    probedAt = p.now;
    PbftMessage probe = new PbftMessage.IncarnationProbe(self);
    peers().stream().filter(m -> !tally.answered(m)).forEach(m -> p.out.send(m, probe));
  }

  /** A replica introduces itself: remember its first incarnation, answer with what we knew. */
  void onProbe(int from, PbftMessage.IncarnationProbe probe) {
    long remembered = known.getOrDefault(from, 0L);
    if (remembered == 0) {
      if (known.size() >= DurableState.MAX_KNOWN) {
        p.drop("incarnation of " + from + ": already " + known.size() + " remembered");
        return;
      }
      known.put(from, probe.incarnation());
      dirty = true; // in this Ready's hard state, durable before the answer leaves
    }
    p.out.send(from, new PbftMessage.IncarnationAnswer(remembered));
  }

  /** A member's answer to this start's probe. */
  void onAnswer(int from, PbftMessage.IncarnationAnswer answer) {
    if (!introducing) {
      return;
    }
    if (!p.membership.current().contains(from)) {
      // Only members' memories make the quorum that must meet every earlier one.
      p.drop("incarnation answer from " + from + ", not a member of this configuration");
      return;
    }
    tally.answer(from, answer.remembered());
    decide();
  }

  private void decide() {
    boolean waited = firstProbeAt >= 0 && p.now - firstProbeAt >= 2 * p.config.requestTimeoutMs();
    IncarnationTally.Verdict verdict = tally.verdict(waited);
    if (verdict == IncarnationTally.Verdict.WIPED && !verified) {
      Map.Entry<Integer, Long> witness = tally.firstWitness();
      decided();
      p.repair.onWipeDetected("replica " + witness.getKey() + " and " + (tally.remembersAnother()
          - 1) + " more remember incarnation " + hex(witness.getValue()) + " of replica "
          + p.self() + ", but this data directory is incarnation " + hex(self) + ", created"
          + " empty at this start: the directory was wiped or replaced without a rejoin-empty"
          + " file; rejoining as a repairing replica (no vote until it has executed past a"
          + " proven checkpoint plus the window)");
    } else if (verdict != IncarnationTally.Verdict.UNDECIDED
        || verified && tally.answers() >= tally.needed()) {
      decided();
    }
  }

  private void decided() {
    introducing = false;
    if (!verified) {
      verified = true;
      dirty = true;
    }
  }

  private static String hex(long incarnation) {
    return String.format("%016x", incarnation);
  }

  @Override
  public String toString() {
    return self == 0 ? "off" : (verified ? "verified" : "unverified") + " incarnation "
        + hex(self) + (introducing ? ", " + tally : "");
  }
}
