package io.lockstep.order.cuid;

import io.lockstep.order.stamped.Uid;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One replica's book of the two-phase rules (paper §3.2.3), shared by the fail-stop and the
 * Byzantine replica-uid orders: SEEN and ACCEPT, the candidate a replica proposes on seeing a
 * request, the requests seen but not accepted (by this replica's candidate) and the accepted
 * ones not yet processed (by uid), and the stability test over them. How candidates travel and
 * who is counted in NF is the caller's business.
 */
final class CandidateLedger {
  /** Deliberate faults for tests that show the checkers catch them; NONE in every real replica. */
  enum Bug {
    NONE,
    /**
     * An accepted request counts as stable at once, though a request seen here but not yet
     * accepted, with a candidate at or below its uid, may still get a smaller uid: the order
     * rule may then process the two in one order here and in the other at another replica.
     */
    STABLE_ONCE_ACCEPTED
  }

  private final int self;
  private Bug bug = Bug.NONE;
  /** Seen but not accepted, by this replica's candidate. */
  private final TreeMap<Uid, Proposal> seenNotAccepted = new TreeMap<>();
  /** Accepted, not yet processed, by uid. */
  private final TreeMap<Uid, Proposal> accepted = new TreeMap<>();
  private long seenMax;
  private long acceptMax;

  CandidateLedger(int self) {
    this.self = self;
  }

  /**
   * Seeing r: cuid(i, r) := (max(SEEN, ACCEPT) + 1, i), which gives UID2 (a request seen after r
   * was accepted gets a candidate above uid(r)).
   *
   * @return this replica's candidate for r
   */
  Uid see(Proposal p) {
    long counter = Math.max(seenMax, acceptMax) + 1;
    seenMax = counter;
    p.own = new Uid(counter, self);
    seenNotAccepted.put(p.own, p);
    return p.own;
  }

  /**
   * A candidate of this replica that is no request's own: (max(SEEN, ACCEPT, {@code floor}) + 1,
   * self), above every uid accepted here and unique (SEEN covers it).
   */
  Uid fresh(long floor) {
    seenMax = Math.max(Math.max(seenMax, acceptMax), floor) + 1;
    return new Uid(seenMax, self);
  }

  /** Accepting r with {@code uid}: ACCEPT covers it, and r waits for the order rule. */
  void accept(Proposal p, Uid uid) {
    p.uid = uid;
    acceptMax = Math.max(acceptMax, uid.time());
    if (p.own != null) { // a rejoined replica has none for a request below its boundary
      seenNotAccepted.remove(p.own);
    }
    accepted.put(uid, p);
  }

  /**
   * <b>Test only</b>: breaks the stability test in {@code bug}'s way, for the simulator to catch;
   * nothing outside tests calls it, so every replica keeps {@link Bug#NONE}.
   */
  void misbehave(Bug bug) {
    this.bug = bug;
  }

  /**
   * Stability test: no request seen but not accepted has a candidate at or below uid(r) (UID2
   * covers those not yet seen, UID1 those seen).
   */
  boolean stableHere(Proposal p) {
    return bug == Bug.STABLE_ONCE_ACCEPTED || seenNotAccepted.isEmpty()
        || p.uid.before(seenNotAccepted.firstKey());
  }

  /** The accepted request with the smallest uid, or null. */
  Proposal firstAccepted() {
    return accepted.isEmpty() ? null : accepted.firstEntry().getValue();
  }

  /** Takes {@code p} out of the accepted requests (it is processed). */
  void processed(Proposal p) {
    accepted.remove(p.uid);
  }

  /** Accepted, not yet processed, by uid (live view). */
  NavigableMap<Uid, Proposal> accepted() {
    return accepted;
  }

  /** Seen but not accepted, by this replica's candidate (live view). */
  NavigableMap<Uid, Proposal> seenNotAccepted() {
    return seenNotAccepted;
  }

  /** SEEN: the largest counter this replica proposed. */
  long seenMax() {
    return seenMax;
  }

  /**
   * A rejoined replica takes over its donor's ACCEPT, and its candidates start above
   * {@code counterFloor} (the donor's SEEN and ACCEPT and every candidate of this replica's
   * earlier life the donor holds).
   */
  void restore(long counterFloor, long accept) {
    seenMax = Math.max(seenMax, counterFloor);
    acceptMax = Math.max(acceptMax, accept);
  }

  /** ACCEPT: the largest uid time accepted so far. */
  long acceptMax() {
    return acceptMax;
  }
}
