package io.lockstep.identity;

/**
 * Signs as one node and checks other nodes' signatures. Node ids are replica ids for replicas;
 * clients are named by the implementation's own mapping (see {@link Ed25519Signer}).
 *
 * <p>Deterministic: signing the same bytes twice gives the same signature (Ed25519 is), so a
 * protocol core that signs stays replayable in the simulator. Verifying never throws for bad
 * input: a forged, truncated or unknown-signer signature is simply {@code false}, because
 * everything a Byzantine peer sends is untrusted input, not a broken invariant.
 */
public interface Signer {
  /** The id this signer signs as. */
  int self();

  /** This node's signature over {@code data}. */
  byte[] sign(byte[] data);

  /**
   * Whether {@code signature} is {@code node}'s signature over {@code data}; false for an
   * unknown node or malformed signature.
   */
  boolean verify(int node, byte[] data, byte[] signature);

  /**
   * Whether {@code signer} can sign at all: false for {@link #none} and anything wrapping it
   * (a cluster file that names no key for this node). Asked by trying, so wrappers need not
   * pass the question on.
   */
  static boolean holdsKey(Signer signer) {
    try {
      signer.sign(new byte[] {0});
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /**
   * A signer for clusters configured without keys (crash faults): signing is a configuration
   * error, reported with the reason, and nothing verifies.
   */
  static Signer none(int self) {
    return new Signer() {
      @Override
      public int self() {
        return self;
      }

      @Override
      public byte[] sign(byte[] data) {
        throw new IllegalStateException("replica " + self + " has no signing key: the cluster"
            + " file names no keys (run `lockstep keys` and add them)");
      }

      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        return false;
      }
    };
  }
}
