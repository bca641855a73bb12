package io.lockstep.order.cuid;

import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one replica disseminates in one round of the Byzantine replica-uid order: requests it
 * was handed (a null request is a read barrier), its candidates for requests it saw, and the
 * replicas it timed out waiting for ("sm_j timeout", paper §3.2.3). It travels as the value of
 * one signed broadcast, so it is bytes; layout, big-endian:
 *
 * <pre>
 * u8 version (1), u16 n, n × (u8 present, [request]), u16 m, m × (i32 origin, i64 seq,
 * i64 counter), u16 k, k × i32 replica
 * </pre>
 *
 * @param requests requests (null: a read barrier), their ids (transmitter, round, index)
 * @param candidates this replica's candidates
 * @param timeouts the replicas this replica reports timed out
 */
record Batch(List<Request> requests, List<Candidate> candidates, List<Integer> timeouts) {
  /** A candidate cuid for request (origin, seq): the uid would be (counter, transmitter). */
  record Candidate(int origin, long seq, long counter) {}

  static final int VERSION = 1;
  /** Most entries of each kind a batch may hold (a u16 count). */
  static final int MAX_ENTRIES = 0xFFFF;

  Batch {
    requests = java.util.Collections.unmodifiableList(new ArrayList<>(requests));
    candidates = List.copyOf(candidates);
    timeouts = List.copyOf(timeouts);
    if (requests.size() > MAX_ENTRIES || candidates.size() > MAX_ENTRIES
        || timeouts.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a batch holds at most " + MAX_ENTRIES
          + " entries of each kind");
    }
  }

  boolean isEmpty() {
    return requests.isEmpty() && candidates.isEmpty() && timeouts.isEmpty();
  }

  byte[] encode() {
    BinaryWriter out = new BinaryWriter(64);
    out.writeByte(VERSION).writeShort(requests.size());
    for (Request r : requests) {
      out.writeByte(r == null ? 0 : 1);
      if (r != null) {
        out.writeRequest(r);
      }
    }
    out.writeShort(candidates.size());
    for (Candidate c : candidates) {
      out.writeInt(c.origin()).writeLong(c.seq()).writeLong(c.counter());
    }
    out.writeShort(timeouts.size());
    timeouts.forEach(out::writeInt);
    return out.toByteArray();
  }

  /**
   * Decodes a batch a transmitter disseminated.
   *
   * @throws CodecException if the bytes are not a batch (only a faulty transmitter sends that)
   */
  static Batch decode(byte[] bytes) {
    BinaryReader in = new BinaryReader(bytes);
    int version = in.readByte("version");
    if (version != VERSION) {
      throw new CodecException("batch version " + version + ", this build reads " + VERSION);
    }
    List<Request> requests = new ArrayList<>();
    for (int i = in.readShort("requests"); i > 0; i--) {
      requests.add(in.readFlag("present") ? in.readRequest("request") : null);
    }
    List<Candidate> candidates = new ArrayList<>();
    for (int i = in.readShort("candidates"); i > 0; i--) {
      candidates.add(new Candidate(in.readInt("origin"), in.readLong("seq"),
          in.readLong("counter")));
    }
    List<Integer> timeouts = new ArrayList<>();
    for (int i = in.readShort("timeouts"); i > 0; i--) {
      timeouts.add(in.readInt("replica"));
    }
    in.expectEnd("batch");
    return new Batch(requests, candidates, timeouts);
  }
}
