package io.lockstep.order.pbft;

/**
 * Byzantine quorum maths for n ≥ 3t+1 replicas (PBFT §4): a quorum is ⌈(n+t+1)/2⌉ — 2t+1 when
 * n = 3t+1 — so any two quorums share at least t+1 replicas, of which at least one is correct,
 * and the n−t correct replicas alone still form one; t+1 replicas include at least one correct
 * one ("weak certificate"). With n above 3t+1 a quorum of only 2t+1 would let two quorums meet
 * in faulty replicas alone, so the size grows with n.
 */
final class Quorum {
  private final int n;
  private final int t;
  private final int quorum;

  Quorum(int n, int t) {
    this(n, t, (n + t + 2) / 2);
  }

  /**
   * A quorum of {@code size}: only tests pass anything but 2t+1, to show that the simulator
   * catches a protocol whose certificates are too small.
   */
  Quorum(int n, int t, int size) {
    if (t < 0 || n < 3 * t + 1) {
      throw new IllegalArgumentException("Byzantine agreement needs n >= 3t+1, got n=" + n
          + " t=" + t);
    }
    this.n = n;
    this.t = t;
    this.quorum = size;
  }

  int n() {
    return n;
  }

  int t() {
    return t;
  }

  /** Replicas whose matching messages form a certificate: ⌈(n+t+1)/2⌉, 2t+1 for n = 3t+1. */
  int quorum() {
    return quorum;
  }

  /** Matching messages that include at least one correct replica's: t+1. */
  int weak() {
    return t + 1;
  }

  /** Prepares from backups that prepare (the primary's pre-prepare is its own): quorum − 1. */
  int prepares() {
    return quorum - 1;
  }

  /** Fewest replicas any two quorums share: 2·quorum − n. */
  int overlap() {
    return 2 * quorum() - n;
  }
}
