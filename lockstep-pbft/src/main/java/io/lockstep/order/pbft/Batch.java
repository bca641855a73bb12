package io.lockstep.order.pbft;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one sequence number orders: the primary's proposed agreed time and the client requests,
 * in order (PBFT §5.1 batching). An empty batch is the "null request" a new primary orders at a
 * sequence number no earlier view prepared (§4.4); it changes nothing.
 *
 * <p>Immutable, so its digest is computed at most once: a pre-prepare's acceptance (also of one
 * held back until its requests arrive), the view change and the new view's signature all ask
 * for it, and each would otherwise hash the whole encoding again. Its canonical encoding is
 * kept too, made once: the digest, the pre-prepare on the wire and the journal entry each
 * encoded the batch anew, growing a buffer from 64 bytes, the largest share of a replica's
 * allocation under write load (docs/BENCHMARKS.md, "Checkpoints every 512 sequence numbers").
 * (A request's command array is never written after the request is built; nothing in the
 * project writes through {@link Request#command()}.)
 */
public final class Batch {
  /** Most requests one batch may carry (a bound for untrusted input). */
  public static final int MAX_REQUESTS = 4096;

  /** The batch a new view orders where nothing earlier may have committed. */
  public static final Batch NULL = new Batch(0, List.of());

  private final long time;
  private final List<Request> requests;
  /**
   * The digest once computed. Racy but safe: a {@link Digest} is immutable with final fields,
   * so a thread that sees it sees it whole, and one that sees null computes the same value.
   */
  private Digest digest;
  /** The canonical encoding once made; racy but safe as {@link #digest} (a final field). */
  private Encoded encoded;

  private record Encoded(byte[] bytes) {}

  /**
   * @param time the agreed time the primary proposed (0 for a null batch)
   * @param requests the requests, at most {@link #MAX_REQUESTS}
   */
  public Batch(long time, List<Request> requests) {
    List<Request> copy = List.copyOf(requests);
    if (copy.size() > MAX_REQUESTS) {
      throw new IllegalArgumentException("a batch of " + copy.size() + " requests exceeds "
          + MAX_REQUESTS);
    }
    this.time = time;
    this.requests = copy;
  }

  /** The agreed time the primary proposed (0 for a null batch). */
  public long time() {
    return time;
  }

  /** The requests, in order. */
  public List<Request> requests() {
    return requests;
  }

  /** The digest prepares and commits name: SHA-256 of the canonical encoding. */
  public Digest digest() {
    Digest known = digest;
    if (known == null) {
      known = Digest.of(encoding());
      digest = known;
    }
    return known;
  }

  /** Writes the canonical encoding (also the wire form). */
  public void write(WireWriter out) {
    out.writeRaw(encoding());
  }

  /** The size of the canonical encoding in bytes (which it makes, if not yet made). */
  public int encodedSize() {
    return encoding().length;
  }

  /** The canonical encoding, made at most once (the array is not to be written to). */
  private byte[] encoding() {
    Encoded known = encoded;
    if (known == null) {
      WireWriter out = new WireWriter(estimatedSize());
      out.writeLong(time);
      out.writeInt(requests.size());
      for (Request request : requests) {
        writeRequest(out, request);
      }
      known = new Encoded(out.toByteArray());
      encoded = known;
    }
    return known.bytes();
  }

  /** About the encoding's size (exact for ASCII client ids), so its buffer rarely grows. */
  private int estimatedSize() {
    long size = 12;
    for (Request request : requests) {
      size += 4 + request.client().value().length() + 8 + 1 + 4 + request.command().length + 1;
      if (request.copyFrom() != null) {
        size += 4 + request.copyFrom().value().length();
      }
    }
    return (int) Math.min(size, Integer.MAX_VALUE - 16);
  }

  /** Reads a batch written by {@link #write}; malformed input throws. */
  public static Batch read(WireReader in) {
    long time = in.readLong();
    int count = in.readCount("batch requests", 14);
    if (count > MAX_REQUESTS) {
      throw in.malformed("batch of " + count + " requests exceeds " + MAX_REQUESTS);
    }
    List<Request> requests = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      requests.add(readRequest(in));
    }
    return new Batch(time, requests);
  }

  /** Writes one request: client, sequence, kind, command, copy sender (or none). */
  public static void writeRequest(WireWriter out, Request request) {
    out.writeClient(request.client());
    out.writeLong(request.sequence());
    out.writeByte(request.kind().ordinal());
    out.writeBytes(request.command());
    out.writeBoolean(request.copyFrom() != null);
    if (request.copyFrom() != null) {
      out.writeClient(request.copyFrom());
    }
  }

  /** Reads one request written by {@link #writeRequest}. */
  public static Request readRequest(WireReader in) {
    ClientId client = in.readClient("request client");
    long sequence = in.readLong();
    int kind = in.readByte();
    if (kind >= Request.Kind.values().length) {
      throw in.malformed("unknown request kind " + kind);
    }
    byte[] command = in.readBytes("request command", Request.MAX_COMMAND_BYTES);
    ClientId copyFrom = in.readBoolean() ? in.readClient("request copy sender") : null;
    try {
      return new Request(client, sequence, Request.Kind.values()[kind], command, copyFrom);
    } catch (IllegalArgumentException e) {
      throw in.malformed(e.getMessage());
    }
  }

  /** Total command bytes, for size budgets. */
  public long bytes() {
    long total = 0;
    for (Request request : requests) {
      total += request.command().length;
    }
    return total;
  }

  @Override
  public String toString() {
    return "Batch[t=" + time + " " + requests.size() + " requests]";
  }

  /** Two batches are equal when their requests and time are (requests compare by content). */
  @Override
  public boolean equals(Object other) {
    return other instanceof Batch b && time == b.time && requests.equals(b.requests);
  }

  @Override
  public int hashCode() {
    return Objects.hash(time, requests);
  }
}
