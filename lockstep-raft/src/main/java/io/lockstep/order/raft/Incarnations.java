package io.lockstep.order.raft;

import java.util.Map;
import java.util.TreeMap;

/**
 * The durable part of wipe detection ({@link WipeCheck}), kept in Raft's hard state: this
 * replica's own incarnation, whether it has checked that its first start was not a wipe, and the
 * incarnation it first heard from each peer.
 *
 * @param self this data directory's incarnation: picked from the start's seed when the replica
 *     finds no hard state, so a wiped directory comes back under a different one (never 0)
 * @param verified this incarnation was checked against t + 1 peers' memory (or there is no peer)
 * @param known the first incarnation heard from each peer that introduced itself
 */
record Incarnations(long self, boolean verified, Map<Integer, Long> known) {
  /** Most peers remembered: a bound on the hard state, far above any real configuration. */
  static final int MAX_KNOWN = 1024;

  Incarnations {
    if (self == 0) {
      throw new IllegalArgumentException("incarnation 0 names none");
    }
    if (known.size() > MAX_KNOWN) {
      throw new IllegalArgumentException(known.size() + " remembered incarnations exceed "
          + MAX_KNOWN);
    }
    known = Map.copyOf(new TreeMap<>(known));
  }

  /** The incarnation remembered for {@code peer}, or 0 if it never introduced itself. */
  long of(int peer) {
    return known.getOrDefault(peer, 0L);
  }
}
