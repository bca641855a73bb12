package io.lockstep.server;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import java.util.TreeMap;

/**
 * The protocol's signer in a keyed cluster: signs with this replica's private key and verifies
 * each replica by the key the replicated configuration records for it (an operator's ordered
 * {@code SetMember}, paper §7), else by the cluster file's. A machine that no file names can
 * then take part in a Byzantine cluster: without its key its checkpoint votes, prepares and
 * view changes would never verify, and the replica-set rule admits it only because its key is
 * recorded. The record wins over the file, as {@link AddressBook}'s addresses do: both are the
 * operator's word, and the record is the newer one every replica holds alike.
 *
 * <p>Thread-safe: verification runs on signature threads and the loop while
 * {@link #learn} swaps the key table (a new immutable {@link Ed25519Signer}).
 */
final class RecordedKeysSigner implements Signer {
  private final int self;
  private final PrivateKey privateKey;
  private final Map<Integer, PublicKey> fileKeys;
  private volatile Map<Integer, PublicKey> keys;
  private volatile Signer current;

  RecordedKeysSigner(int self, PrivateKey privateKey, Map<Integer, PublicKey> fileKeys) {
    this.self = self;
    this.privateKey = privateKey;
    this.fileKeys = Map.copyOf(fileKeys);
    this.keys = this.fileKeys;
    this.current = new Ed25519Signer(self, privateKey, fileKeys);
  }

  /**
   * Verifies from now on by {@code recorded} (replica to key) over the file's keys; called on
   * the loop thread only.
   *
   * @return whether any replica's key changed (verdicts remembered earlier may be stale)
   */
  boolean learn(Map<Integer, PublicKey> recorded) {
    Map<Integer, PublicKey> next = new TreeMap<>(fileKeys);
    next.putAll(recorded);
    if (next.equals(keys)) {
      return false;
    }
    keys = Map.copyOf(next);
    current = new Ed25519Signer(self, privateKey, next);
    return true;
  }

  @Override
  public int self() {
    return self;
  }

  @Override
  public byte[] sign(byte[] data) {
    return current.sign(data);
  }

  @Override
  public boolean verify(int node, byte[] data, byte[] signature) {
    return current.verify(node, data, signature);
  }
}
