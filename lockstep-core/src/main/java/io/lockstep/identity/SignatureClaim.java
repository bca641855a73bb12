package io.lockstep.identity;

import java.util.Objects;

/**
 * One signature a protocol core will check when it steps a message: that {@code signer} signed
 * exactly {@code data} with {@code signature}. A runtime verifies claims on other threads
 * before the message reaches the core ({@link PreverifiedSigner}); the claim carries no verdict
 * of its own and is as untrusted as the message it was read from.
 *
 * @param signer the node id whose key must have made the signature
 * @param data the exact signed bytes, domain tag included
 * @param signature the signature as received (any length: a malformed one verifies false)
 */
public record SignatureClaim(int signer, byte[] data, byte[] signature) {
  public SignatureClaim {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(signature, "signature");
  }
}
