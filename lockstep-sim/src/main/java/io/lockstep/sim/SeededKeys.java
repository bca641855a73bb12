package io.lockstep.sim;

import io.lockstep.identity.Ed25519Signer;
import java.security.KeyPair;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Ed25519Signer#seededKeyPairs} remembered: the same ids and seed always draw the same
 * keys, and every simulated run draws its fixed keys again (a PBFT run drew 32 key pairs, a
 * tenth of its CPU), so the pairs are drawn once per process and handed out again. Key pairs
 * are immutable, so runs on several threads may share them. Thread-safe.
 */
final class SeededKeys {
  /** Sets of pairs remembered; the least recently used go first beyond it. */
  private static final int CAPACITY = 256;

  private record Drawn(List<Integer> ids, long seed) {}

  private static final Map<Drawn, Map<Integer, KeyPair>> DRAWN =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Drawn, Map<Integer, KeyPair>> eldest) {
          return size() > CAPACITY;
        }
      };

  private SeededKeys() {}

  /** The pairs {@code Ed25519Signer.seededKeyPairs(ids, seed)} returns, in id order. */
  static Map<Integer, KeyPair> pairs(List<Integer> ids, long seed) {
    Drawn drawn = new Drawn(List.copyOf(ids), seed);
    synchronized (DRAWN) {
      return DRAWN.computeIfAbsent(drawn,
          d -> Collections.unmodifiableMap(Ed25519Signer.seededKeyPairs(d.ids(), d.seed())));
    }
  }
}
