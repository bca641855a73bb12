package io.lockstep.sim;

import io.lockstep.identity.Signer;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A simulator-only speed-up for signatures: all replicas of a run live in one process, so each
 * (signer, bytes, signature) triple is checked with Ed25519 once and its verdict (true or false)
 * reused when another replica checks the very same triple; signing the same bytes again reuses
 * the signature (Ed25519 is deterministic, so the result is identical). Nothing is trusted that
 * was not verified: a changed byte is a different triple. Thread-safe (the command line runs
 * seeds on two threads with one factory).
 */
final class SharedVerifications {
  private static final int CAPACITY = 20_000;
  private final Map<ByteBuffer, Boolean> verdicts = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  /** {@code signer}, with its verifications shared through this cache. */
  Signer wrap(Signer signer) {
    Map<ByteBuffer, byte[]> signed = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteBuffer, byte[]> eldest) {
        return size() > CAPACITY;
      }
    };
    return new Signer() {
      @Override
      public int self() {
        return signer.self();
      }

      @Override
      public byte[] sign(byte[] data) {
        synchronized (signed) {
          return signed.computeIfAbsent(ByteBuffer.wrap(data.clone()), d -> signer.sign(data))
            .clone();
        }
      }

      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        if (signature == null) {
          return false;
        }
        ByteBuffer key = ByteBuffer.allocate(4 + 4 + data.length + signature.length)
            .putInt(node).putInt(data.length).put(data).put(signature).flip();
        synchronized (verdicts) {
          return verdicts.computeIfAbsent(key, k -> signer.verify(node, data, signature));
        }
      }
    };
  }
}
