package io.lockstep.order.clocks;

import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one replica disseminates in one round of the Byzantine real-time order: its clock
 * reading when the round began there (the uid time of every entry, paper §3.2.2) and the
 * requests its clients handed it (a null entry is a read barrier). It travels as the value of
 * one signed broadcast, so it is bytes; layout, big-endian:
 *
 * <pre>
 * u8 version (1), i64 stamp, u16 n, n × (u8 present, [request])
 * </pre>
 *
 * @param stamp the transmitter's clock reading as it transmitted
 * @param requests requests (null: a read barrier)
 */
public record ClockBatch(long stamp, List<Request> requests) {
  static final int VERSION = 1;
  /** Most entries a batch may hold (a u16 count). */
  public static final int MAX_ENTRIES = 0xFFFF;

  public ClockBatch {
    requests = Collections.unmodifiableList(new ArrayList<>(requests));
    if (requests.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a batch holds at most " + MAX_ENTRIES + " entries");
    }
  }

  /** The bytes a transmitter signs. */
  public byte[] encode() {
    BinaryWriter out = new BinaryWriter(64);
    out.writeByte(VERSION).writeLong(stamp).writeShort(requests.size());
    for (Request r : requests) {
      out.writeByte(r == null ? 0 : 1);
      if (r != null) {
        out.writeRequest(r);
      }
    }
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
    if (version != VERSION) {
      throw new CodecException("batch version " + version + ", this build reads " + VERSION);
    }
    long stamp = in.readLong("stamp");
    List<Request> requests = new ArrayList<>();
    for (int i = in.readShort("requests"); i > 0; i--) {
      requests.add(in.readFlag("present") ? in.readRequest("request") : null);
    }
    in.expectEnd("batch");
    return new ClockBatch(stamp, requests);
  }
}
