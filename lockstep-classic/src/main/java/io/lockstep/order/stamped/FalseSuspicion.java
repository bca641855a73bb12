package io.lockstep.order.stamped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A replica suspected of having failed while it runs (it stalled, or its messages were late,
 * past the failure timeout): how it learns, and why halting is then enough. Shared by the
 * fail-stop orders, one per replica.
 *
 * <p>Fail-stop (paper §2) means a failed replica stops and others can detect it. Here the
 * detection came first: a suspicion is final ({@link FailureDetector}), so the suspecting replica
 * sends the suspect nothing more, declares it failed once the others agree ({@link
 * FailureNotices}), and from then on drops whatever it sends. The suspect can no longer be a
 * correct member, and if it went on it would soon time out the replicas that stopped talking to
 * it and order on its own, answering reads of a state that no longer takes their writes. So it
 * makes the suspicion true: it halts (answers no client, sends nothing) and then rejoins like a
 * restarted replica (§7.2, {@link HaltThenRejoin}).
 *
 * <p><b>How it learns.</b> Every broadcast carries its sender's suspect mask ({@link
 * FailureNotices.Report#suspects}); a replica that receives one suspecting it halts. Since the
 * suspecting replica sends the suspect nothing, it answers a message from a replica it suspects
 * with its latest broadcast ({@link #due}: at most once per interval per peer). The suspect
 * speaks within a null interval of resuming, so it learns within about a round trip, well before
 * its own failure timeout could make it declare the silent replicas failed.
 *
 * <p><b>Probation: nothing is processed between the stall and the news.</b> A replica that finds
 * a gap between its own ticks ({@link #stalledFor}) may have been suspected meanwhile, and what
 * it holds is what its peers sent before they suspected it; a peer that then stopped waiting for
 * it may order differently from that (replica-uid: a uid chosen without its candidate can be
 * lower than one it would process first; real time: test I trusts a delay bound its stalled loop
 * broke). So it processes nothing, and grants no read, until every peer it counts as live has
 * delivered a broadcast acknowledging one it issued after the stall ({@link #onProbation}): a
 * peer sends such a broadcast only while it does not suspect it, or, suspecting it, as the
 * answer above, whose mask makes it halt. Found by the simulator (pauses of about a second,
 * replica-uid and real-time seeds whose stalled replica processed a request its peer ordered
 * elsewhere); without the probation a halt came a round trip too late.
 *
 * <p><b>Why halting is then enough.</b> The suspect processed nothing after the stall that began
 * its suspicion, and before it the order was the protocol's normal one. Its peers drop what it
 * sent after the declaration. The rejoin replaces its state by a donor's, at a position no lower
 * than its own. The argument fails if the suspect had itself declared a live peer failed and
 * processed something since (both then ordered alone, and what it answered is lost with its
 * state): that stays reported after the rejoin (the engines' {@code orderInDoubt}). Two
 * replicas that suspect each other do not both halt: the one with the larger id does.
 *
 * <p><b>Stale masks.</b> Only a broadcast not yet received counts ({@code seq} above what this
 * replica holds of its origin): after a rejoin, every origin's broadcasts above the counts of the
 * donor's state were issued after that origin readmitted this replica, while older ones, which
 * may still suspect it, can arrive again as retransmissions or relays.
 */
public final class FalseSuspicion {
  private final int self;
  private final long selfBit;
  private final long everyMillis;
  private final Map<Integer, Long> toldAt = new HashMap<>();
  private final int selfIndex;
  private final long stallMillis;
  /** This replica's first broadcast after its latest stall, until every peer acknowledged it. */
  private long probationFrom;
  /** Replicas declared failed whose broadcasts came afterwards: not readmitted yet. */
  private final Set<Integer> spokeAfterDeclared = new java.util.HashSet<>();
  /** The position at which each replica was declared failed here. */
  private final Map<Integer, Long> declaredAt = new HashMap<>();
  /** A broken assumption no readmission repairs was reported. */
  private boolean unrepairable;
  private boolean repairedSinceDrain;

  /**
   * @param selfIndex this replica's index among the members (its bit in a suspect mask)
   * @param everyMillis at most one answer to a suspected peer per this interval
   * @param failureTimeoutMillis the failure timeout: a gap between this replica's ticks above a
   *     quarter of it is a stall its peers may have taken for a failure (they also count the null
   *     interval and the delay, which the settings' check keeps below the timeout)
   */
  public FalseSuspicion(int self, int selfIndex, long everyMillis, long failureTimeoutMillis) {
    this.self = self;
    this.selfIndex = selfIndex;
    this.selfBit = 1L << selfIndex;
    this.everyMillis = everyMillis;
    this.stallMillis = Math.max(1, failureTimeoutMillis / 4);
  }

  /** Whether a gap of {@code gapMillis} between two of this replica's ticks is a stall. */
  public boolean stalledFor(long gapMillis) {
    return gapMillis > stallMillis;
  }

  /** After a stall, this replica's broadcasts from number {@code seq} on prove it is back. */
  public void probation(long seq) {
    probationFrom = seq;
  }

  /**
   * Whether this replica must still hold its order after a stall: some peer not declared failed
   * has not yet delivered a broadcast acknowledging its first one after the stall.
   *
   * @param latest each member's latest delivered broadcast, or null
   */
  public boolean onProbation(List<Integer> members, Set<Integer> failed,
      IntFunction<? extends FailureNotices.Report> latest) {
    if (probationFrom == 0) {
      return false;
    }
    for (int m : members) {
      if (m == self || failed.contains(m)) {
        continue;
      }
      FailureNotices.Report last = latest.apply(m);
      if (last == null || last.ack(selfIndex) < probationFrom) {
        return true;
      }
    }
    probationFrom = 0;
    return false;
  }

  /**
   * Whether a broadcast of {@code origin} numbered {@code seq} with suspect mask {@code
   * suspects}, of which this replica has received {@code receivedThrough}, makes it halt: it
   * says this replica failed, and this replica does not suspect {@code origin} too, or does but
   * has the larger id. Two replicas that suspect each other (delays past the bound both ways, or
   * a start-up slower than the start timeout) must not both halt, or nobody is left to hand the
   * state over; the lower id goes on.
   */
  public boolean halts(int origin, long suspects, long seq, long receivedThrough,
      boolean suspectsOrigin) {
    return (suspects & selfBit) != 0 && seq > receivedThrough
        && (!suspectsOrigin || self > origin);
  }

  /**
   * Whether to answer suspected {@code peer}, which just spoke, with this replica's latest
   * broadcast now (and, if so, that it was answered at {@code now}).
   */
  public boolean due(int peer, long now) {
    Long last = toldAt.get(peer);
    if (last != null && now - last < everyMillis) {
      return false;
    }
    toldAt.put(peer, now);
    return true;
  }

  /** This replica declared {@code replica} failed, having processed through {@code position}. */
  public void declared(int replica, long position) {
    declaredAt.put(replica, position);
  }

  /** A broadcast of {@code replica} came after it was declared failed here (and was dropped). */
  public void spokeAfterDeclared(int replica) {
    spokeAfterDeclared.add(replica);
  }

  /** {@code replica}, declared failed here, was readmitted: what it said late is repaired. */
  public void readmitted(int replica) {
    if (spokeAfterDeclared.remove(replica)) {
      repairedSinceDrain = true;
    }
  }

  /** A broken assumption was reported that no readmission repairs (an order rule broke). */
  public void unrepairable() {
    unrepairable = true;
  }

  /**
   * The engines' {@code drainRepairedAssumptions}: a sentence once every replica whose
   * broadcasts came after it was declared failed here has been readmitted, and nothing else was
   * reported. Those broadcasts were dropped here, and the replica processed nothing this one did
   * not (see the class comment), so this replica's order is not in doubt.
   */
  public List<String> drainRepaired(boolean halted) {
    if (!repairedSinceDrain || !spokeAfterDeclared.isEmpty() || unrepairable || halted) {
      return List.of();
    }
    repairedSinceDrain = false;
    return List.of("replica " + self + ": every replica it declared failed while that replica"
        + " still ran has halted and been readmitted (paper §7.2); the broadcasts it sent late"
        + " were dropped here and changed nothing");
  }

  /**
   * The engines' {@code orderInDoubt}: a halted replica's order is in doubt if it processed
   * anything (through {@code position}) after declaring failed a replica that spoke afterwards:
   * it ordered alone, and the rejoin drops what it did. A running one's is while such a replica
   * is not readmitted yet, or after an unrepairable report.
   */
  public boolean orderInDoubt(boolean halted, long position) {
    if (!halted) {
      return unrepairable || !spokeAfterDeclared.isEmpty();
    }
    // A replica known failed from a donor's state counts as declared before anything here.
    return unrepairable || spokeAfterDeclared.stream()
        .anyMatch(q -> position > declaredAt.getOrDefault(q, Long.MIN_VALUE));
  }

  /** Why this replica halted, for its log, {@code /health} and the clients it refuses. */
  public String reason(int by, String scheme, long failureTimeoutMillis) {
    return "replica " + by + " suspects replica " + self + " of having failed while it ran (it"
        + " stalled, or its messages were delayed, past the " + scheme + " failure timeout of "
        + failureTimeoutMillis + " ms): a fail-stop replica detected failed must stop, so it"
        + " halted, answers no client and rejoins from a live replica (paper §7.2); retry at"
        + " another replica";
  }
}
