package io.lockstep.order.clocks;

import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.List;
import java.util.Objects;

/**
 * What one replica disseminates in one round of the Byzantine real-time order: its clock
 * reading when the round began there (the uid time of every entry, paper §3.2.2) and the
 * requests its clients handed it (a null entry is a read barrier). It travels as the value of
 * one signed broadcast, so it is bytes; layout, big-endian:
 *
 * <pre>
 * u8 version (1, or 2 when a request carries its client's signature), i64 stamp, requests
 * (see {@link CarriedRequests})
 * </pre>
 *
 * @param stamp the transmitter's clock reading as it transmitted
 * @param carried requests (null: a read barrier), each with its client's signature or none
 */
public record ClockBatch(long stamp, CarriedRequests carried) {
  static final int VERSION = 1;
  /** The version of a batch carrying client signatures. */
  static final int SIGNED_VERSION = 2;
  /** Most entries a batch may hold (a u16 count). */
  public static final int MAX_ENTRIES = 0xFFFF;

  public ClockBatch {
    Objects.requireNonNull(carried, "carried");
    if (carried.requests().size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a batch holds at most " + MAX_ENTRIES + " entries");
    }
  }

  /** A batch of unsigned requests. */
  public ClockBatch(long stamp, List<Request> requests) {
    this(stamp, CarriedRequests.unsigned(requests));
  }

  /** The requests (null: a read barrier). */
  public List<Request> requests() {
    return carried.requests();
  }

  /** The bytes a transmitter signs. */
  public byte[] encode() {
    BinaryWriter out = new BinaryWriter(64);
    out.writeByte(carried.anySigned() ? SIGNED_VERSION : VERSION).writeLong(stamp);
    carried.writeTo(out);
    return out.toByteArray();
  }

  /**
   * Decodes a batch a transmitter disseminated.
   *
   * @throws CodecException if the bytes are not a batch (only a faulty transmitter sends that)
   */
  public static ClockBatch decode(byte[] bytes) {
    BinaryReader in = new BinaryReader(bytes);
    int version = in.readByte("version");
    if (version != VERSION && version != SIGNED_VERSION) {
      throw new CodecException("batch version " + version + ", this build reads " + VERSION
          + " and " + SIGNED_VERSION);
    }
    long stamp = in.readLong("stamp");
    CarriedRequests carried = CarriedRequests.readFrom(in, version);
    in.expectEnd("batch");
    return new ClockBatch(stamp, carried);
  }
}
