package io.lockstep.request;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * A client's own signature over one of its requests (paper §3.1: with a replica disseminating
 * for the client, the receivers must be able to tell the client's request from one the replica
 * made up). A replica's signature proves only what the replica sent; this one proves what the
 * client asked for, to every replica that holds the client's public key, so one carrier is
 * enough.
 *
 * <p>The signed bytes, big-endian:
 *
 * <pre>
 * DOMAIN ("lockstep/client-request/1", 25 bytes), u16 n, n bytes client id (UTF-8),
 * i64 sequence, u8 kind (0 command, 1 null), u8 present, [u16 m, m bytes copyFrom (UTF-8)],
 * i32 k, k bytes command
 * </pre>
 *
 * <p>The domain tag keeps the signature from being replayed as any other message a client key
 * signs (the connection handshake signs other bytes), the sequence number keeps it from being
 * replayed as the client's next request, and every field the executor reads is inside, so no
 * field can be altered under a valid signature. Lengths precede variable fields, so two
 * different requests never give the same bytes.
 */
public final class RequestSignature {
  /** Length of an Ed25519 signature; any other length is malformed. */
  public static final int LENGTH = 64;
  private static final byte[] DOMAIN =
      "lockstep/client-request/1".getBytes(StandardCharsets.US_ASCII);

  private RequestSignature() {}

  /** The exact bytes a client signs for {@code request}. */
  public static byte[] signedBytes(Request request) {
    byte[] client = request.client().value().getBytes(StandardCharsets.UTF_8);
    byte[] copyFrom = request.copyFrom() == null ? null
        : request.copyFrom().value().getBytes(StandardCharsets.UTF_8);
    int size = DOMAIN.length + 2 + client.length + 8 + 1 + 1
        + (copyFrom == null ? 0 : 2 + copyFrom.length) + 4 + request.command().length;
    ByteBuffer out = ByteBuffer.allocate(size).put(DOMAIN)
        .putShort((short) client.length).put(client)
        .putLong(request.sequence())
        .put((byte) request.kind().ordinal())
        .put((byte) (copyFrom == null ? 0 : 1));
    if (copyFrom != null) {
      out.putShort((short) copyFrom.length).put(copyFrom);
    }
    return out.putInt(request.command().length).put(request.command()).array();
  }

  /** {@code key}'s Ed25519 signature over {@code request} (deterministic: same bytes each time). */
  public static byte[] sign(Request request, PrivateKey key) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(key);
      signer.update(signedBytes(request));
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key (an Ed25519 private key is"
          + " needed): " + e.getMessage(), e);
    }
  }

  /**
   * Why {@code signature} does not make {@code request} its client's own, or null if it does:
   * a signature of the wrong length is malformed; one of the right length that {@code keys} do
   * not verify over these exact bytes is forged, altered, another client's or another
   * request's.
   */
  public static String refusal(Request request, byte[] signature, ClientPublicKeys keys) {
    if (signature.length != LENGTH) {
      return "malformed client signature (" + signature.length + " bytes, " + LENGTH
          + " expected)";
    }
    if (!keys.verify(request.client(), signedBytes(request), signature)) {
      return "client signature does not verify under " + request.client() + "'s key";
    }
    return null;
  }
}
