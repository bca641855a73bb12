package io.lockstep.order;

import java.util.Map;
import java.util.TreeMap;

/**
 * The decision rule of wipe detection, for any protocol and either failure model. A replica
 * whose data directory was wiped starts with nothing, exactly like one that never ran; if it
 * then voted, a vote it cast before the wipe could be cast again differently (a correct
 * replica turned faulty). A marker written at first start would be wiped with the directory,
 * so the memory lives on the peers: a replica that starts empty picks a new
 * <em>incarnation</em> and asks its peers which incarnation of it they remember; each peer
 * answers with the first one it heard (0: none) and stores this one if it knew none. This
 * class counts the answers of one start and says what they prove; the protocol carries the
 * questions and answers, keeps the memories durable and holds its votes until a verdict.
 *
 * <p>With {@code p} peers of which at most {@code liars} answer falsely (0 under fail-stop, t
 * under Byzantine faults):
 *
 * <ul>
 *   <li><b>Wiped</b> once {@code liars + 1} peers name another incarnation: one of them is
 *       correct, so t liars cannot push a new replica into repair (under fail-stop one answer
 *       suffices).
 *   <li><b>First start</b> once {@code q = ⌊(p + liars) / 2⌋ + 1} peers name none (or this
 *       one). Why q: an incarnation counts as checked only once q peers answered, and so
 *       stored it; when it is wiped later, at most {@code p − q} peers never stored it and at
 *       most {@code liars} storers lie, which is fewer than q, so a wiped checked replica never
 *       takes itself for new; and at least {@code q − liars ≥ liars + 1} correct storers are
 *       left to name its old incarnation. Fail-stop, 2t peers: q = t + 1; Byzantine, 3t peers:
 *       q = 2t + 1.
 *   <li><b>First start by waiting</b>: q − 1 answers naming none and the protocol's wait (two
 *       election or view-change time-outs since the first question) has passed. A new cluster
 *       with a replica that never starts must still order; with t peers down only p − t answers
 *       can come, which is q − 1 in both models. This leans on timing: a wiped replica whose
 *       remembering peers stay silent that long takes itself for new. Under Byzantine faults it
 *       also errs when its incarnation was itself checked by waiting (only q − 1 storers) and
 *       the t liars are among them.
 *   <li><b>Undecided</b> otherwise: the replica keeps asking and does not vote.
 * </ul>
 *
 * <p>Each peer's first answer of this start counts; a later one from the same peer is ignored,
 * so a liar cannot be counted twice. The tally is deterministic: the protocol supplies whether
 * its wait has passed.
 */
public final class IncarnationTally {
  /** What the answers so far prove. */
  public enum Verdict {
    /** Not enough answers either way: keep asking, vote nowhere. */
    UNDECIDED,
    /** Nobody that must remember this replica does: it never ran (or never voted). */
    FIRST_START,
    /** Enough peers remember another incarnation: the directory was wiped; repair. */
    WIPED
  }

  private final long self;
  private final int peers;
  private final int liars;
  /** Each answering peer's first answer: the incarnation it remembered, 0 for none. */
  private final Map<Integer, Long> answers = new TreeMap<>();

  /**
   * A tally for incarnation {@code self} among {@code peers} peers of which at most
   * {@code liars} may answer falsely.
   *
   * @throws IllegalArgumentException if {@code self} is 0, or a count is negative
   */
  public IncarnationTally(long self, int peers, int liars) {
    if (self == 0) {
      throw new IllegalArgumentException("incarnation 0 names none");
    }
    if (peers < 0 || liars < 0) {
      throw new IllegalArgumentException("peers " + peers + " and liars " + liars
          + " must not be negative");
    }
    this.self = self;
    this.peers = peers;
    this.liars = liars;
  }

  /** The tally a protocol of {@code model} with {@code t} faulty replicas uses. */
  public static IncarnationTally of(FailureModel model, long self, int peers, int t) {
    return new IncarnationTally(self, peers, model == FailureModel.BYZANTINE ? t : 0);
  }

  /** Answers naming none that make a first start: q = ⌊(p + liars) / 2⌋ + 1, at most p. */
  public int needed() {
    return Math.min(peers, (peers + liars) / 2 + 1);
  }

  /** Answers naming another incarnation that prove a wipe: one more than the liars. */
  public int evidenceNeeded() {
    return liars + 1;
  }

  /** Records peer {@code from}'s answer (0: it remembered none); a repeated answer is ignored. */
  public void answer(int from, long remembered) {
    answers.putIfAbsent(from, remembered);
  }

  /** Whether {@code peer} has answered in this start. */
  public boolean answered(int peer) {
    return answers.containsKey(peer);
  }

  /** How many peers answered. */
  public int answers() {
    return answers.size();
  }

  /** Answers naming another incarnation than this one. */
  public int remembersAnother() {
    return (int) answers.values().stream().filter(r -> r != 0 && r != self).count();
  }

  /** The lowest-numbered peer that named another incarnation and what it named (null: none). */
  public Map.Entry<Integer, Long> firstWitness() {
    return answers.entrySet().stream().filter(e -> e.getValue() != 0 && e.getValue() != self)
        .findFirst().orElse(null);
  }

  /**
   * What the answers prove now; {@code waited} says the protocol's wait since its first question
   * has passed (the rule for peers that never answer). No peer at all: a first start.
   */
  public Verdict verdict(boolean waited) {
    int another = remembersAnother();
    if (another >= evidenceNeeded()) {
      return Verdict.WIPED;
    }
    int none = answers.size() - another;
    if (none >= needed() || waited && none >= needed() - 1) {
      return Verdict.FIRST_START;
    }
    return Verdict.UNDECIDED;
  }

  @Override
  public String toString() {
    return answers.size() + " answers, " + remembersAnother() + " naming another incarnation"
        + " (first start at " + needed() + " naming none, wiped at " + evidenceNeeded() + ")";
  }
}
