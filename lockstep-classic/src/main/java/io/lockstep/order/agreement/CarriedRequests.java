package io.lockstep.order.agreement;

import io.lockstep.identity.SignatureClaim;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The requests one transmitter's batch carries, each with its client's own signature or none,
 * and their wire form, shared by the Byzantine orders' batches. Layout, big-endian:
 *
 * <pre>
 * u16 n, n × (u8 entry, ...): entry 0 a read barrier; 1 [request]; 2 [request], u32 length,
 * signature bytes (the client's, over {@link io.lockstep.request.RequestSignature#signedBytes})
 * </pre>
 *
 * <p>Entry 2 exists only in a batch of version 2; a batch without signatures is still written
 * as version 1, byte for byte as before signatures existed, so a replica of an older build
 * decides exactly what it did. A signature longer than {@link #MAX_SIGNATURE_BYTES} makes the
 * whole batch unreadable (only a faulty transmitter writes one: a correct replica refuses such
 * a request when its client hands it over); a shorter malformed one is refused per request by
 * {@link ClientCopies}, with its reason.
 *
 * @param requests the requests (null: a read barrier)
 * @param signatures for each request its client's signature, or null
 */
public record CarriedRequests(List<Request> requests, List<byte[]> signatures) {
  /** Longest signature a batch may carry (an Ed25519 one is 64 bytes). */
  public static final int MAX_SIGNATURE_BYTES = 256;
  private static final int BARRIER = 0;
  private static final int UNSIGNED = 1;
  private static final int SIGNED = 2;

  public CarriedRequests {
    requests = Collections.unmodifiableList(new ArrayList<>(requests));
    signatures = Collections.unmodifiableList(new ArrayList<>(signatures));
    if (requests.size() != signatures.size()) {
      throw new IllegalArgumentException(requests.size() + " requests but " + signatures.size()
          + " signature entries");
    }
    for (int i = 0; i < requests.size(); i++) {
      byte[] s = signatures.get(i);
      if (s != null && (requests.get(i) == null || s.length > MAX_SIGNATURE_BYTES)) {
        throw new IllegalArgumentException("entry " + i + ": a signature needs a request and at"
            + " most " + MAX_SIGNATURE_BYTES + " bytes");
      }
    }
  }

  /** {@code requests}, none signed. */
  public static CarriedRequests unsigned(List<Request> requests) {
    return new CarriedRequests(requests, Collections.nCopies(requests.size(), null));
  }

  /**
   * Why a replica must not carry {@code signature}, handed over with a request by its client,
   * or null if it may (none, or one of an Ed25519 signature's length). Checked where the client
   * hands the request over, so a correct replica never writes a malformed signature into its
   * batch; whether the signature verifies is decided later, identically everywhere, from the
   * decided batch ({@link ClientCopies}).
   */
  public static String intakeRefusal(byte[] signature) {
    if (signature == null || signature.length == RequestSignature.LENGTH) {
      return null;
    }
    return "malformed client signature (" + signature.length + " bytes, "
        + RequestSignature.LENGTH + " expected): request dropped";
  }

  /** Whether any request carries a signature: the batch must then be written as version 2. */
  public boolean anySigned() {
    return signatures.stream().anyMatch(Objects::nonNull);
  }

  /**
   * The client signatures {@link ClientCopies} will verify when this batch is decided: one claim
   * per signed entry of an Ed25519 signature's length (a malformed one is refused without
   * verifying, so claiming it would only waste a verification).
   */
  public List<SignatureClaim> claims() {
    List<SignatureClaim> claims = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      byte[] s = signatures.get(i);
      if (s != null && s.length == RequestSignature.LENGTH) {
        claims.add(SignatureClaim.ofRequest(requests.get(i), s));
      }
    }
    return claims;
  }

  /**
   * The client signatures carried in {@code message}'s value if it is a {@link RoundMessage},
   * read by {@code carried} (the order's batch decoder, which may answer null for a batch it
   * can tell carries no signature without decoding it), for a codec's {@link
   * io.lockstep.order.ProtocolCodec#signaturesCheckedLater}. A value that does not decode names
   * none: the order refuses it when it is decided, with its reason, and verifies nothing.
   */
  public static List<SignatureClaim> claimsIn(ProtocolMessage message,
      Function<byte[], CarriedRequests> carried) {
    if (!(message instanceof RoundMessage round)) {
      return List.of();
    }
    try {
      CarriedRequests requests = carried.apply(round.chain().value());
      return requests == null ? List.of() : requests.claims();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** Writes the entries (after the batch's own header). */
  public void writeTo(BinaryWriter out) {
    out.writeShort(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      byte[] s = signatures.get(i);
      out.writeByte(r == null ? BARRIER : s == null ? UNSIGNED : SIGNED);
      if (r != null) {
        out.writeRequest(r);
      }
      if (s != null) {
        out.writeBytes(s);
      }
    }
  }

  /**
   * Reads the entries of a batch of {@code version}.
   *
   * @throws CodecException on a signed entry in a version 1 batch, an unknown entry, an
   *     oversized signature or truncation
   */
  public static CarriedRequests readFrom(BinaryReader in, int version) {
    List<Request> requests = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    for (int i = in.readShort("requests"); i > 0; i--) {
      int entry = in.readByte("entry");
      if (entry > (version >= 2 ? SIGNED : UNSIGNED)) {
        throw new CodecException("batch version " + version + ": unknown entry " + entry);
      }
      requests.add(entry == BARRIER ? null : in.readRequest("request"));
      signatures.add(entry == SIGNED ? in.readBytes("signature", MAX_SIGNATURE_BYTES) : null);
    }
    return new CarriedRequests(requests, signatures);
  }
}
