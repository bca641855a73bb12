package io.lockstep.identity;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.util.Objects;

/**
 * One signature a protocol core will check: that {@code signer} (a replica), or {@code client}
 * (a client, over one of its requests), signed exactly {@code data} with {@code signature}. A
 * runtime verifies claims on other threads before the core needs the verdict ({@link
 * PreverifiedSigner}); the claim carries no verdict of its own and is as untrusted as the
 * message it was read from.
 *
 * @param signer the node id whose key must have made the signature; {@link #CLIENT} for a
 *     client's claim
 * @param client the client whose key must have made the signature, or null for a replica's
 * @param data the exact signed bytes, domain tag included
 * @param signature the signature as received (any length: a malformed one verifies false)
 */
public record SignatureClaim(int signer, ClientId client, byte[] data, byte[] signature) {
  /** The {@link #signer} of a client's claim: no replica signed it. */
  public static final int CLIENT = -1;

  public SignatureClaim {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(signature, "signature");
    if ((client == null) == (signer == CLIENT)) {
      throw new IllegalArgumentException("a claim names a replica (signer " + signer
          + ") or a client (" + client + "), exactly one");
    }
  }

  /** Replica {@code signer}'s claim. */
  public SignatureClaim(int signer, byte[] data, byte[] signature) {
    this(signer, null, data, signature);
  }

  /**
   * The claim that {@code signature} is {@code request}'s client's own over it ({@link
   * RequestSignature#signedBytes}), as an order that takes a request from one carrier checks.
   */
  public static SignatureClaim ofRequest(Request request, byte[] signature) {
    return new SignatureClaim(CLIENT, request.client(), RequestSignature.signedBytes(request),
        signature);
  }
}
