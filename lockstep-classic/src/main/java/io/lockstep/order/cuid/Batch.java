package io.lockstep.order.cuid;

import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one replica disseminates in one round of the Byzantine replica-uid order: requests it
 * was handed (a null request is a read barrier), its candidates for requests it saw, and the
 * replicas it timed out waiting for ("sm_j timeout", paper §3.2.3). It travels as the value of
 * one signed broadcast, so it is bytes; layout, big-endian:
 *
 * <pre>
 * u8 version (1, or 2 when a request carries its client's signature), requests (see
 * {@link CarriedRequests}), u16 m, m × (i32 origin, i64 seq, i64 counter), u16 k, k × i32 replica
 * </pre>
 *
 * @param carried requests (null: a read barrier; their ids are transmitter, round and index),
 *     each with its client's signature or none
 * @param candidates this replica's candidates
 * @param timeouts the replicas this replica reports timed out
 */
record Batch(CarriedRequests carried, List<Candidate> candidates, List<Integer> timeouts) {
  /** A candidate cuid for request (origin, seq): the uid would be (counter, transmitter). */
  record Candidate(int origin, long seq, long counter) {}

  static final int VERSION = 1;
  /** The version of a batch carrying client signatures. */
  static final int SIGNED_VERSION = 2;
  /** Most entries of each kind a batch may hold (a u16 count). */
  static final int MAX_ENTRIES = 0xFFFF;

  Batch {
    Objects.requireNonNull(carried, "carried");
    candidates = List.copyOf(candidates);
    timeouts = List.copyOf(timeouts);
    if (carried.requests().size() > MAX_ENTRIES || candidates.size() > MAX_ENTRIES
        || timeouts.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a batch holds at most " + MAX_ENTRIES
          + " entries of each kind");
    }
  }

  /** A batch of unsigned requests. */
  Batch(List<Request> requests, List<Candidate> candidates, List<Integer> timeouts) {
    this(CarriedRequests.unsigned(requests), candidates, timeouts);
  }

  /** The requests (null: a read barrier). */
  List<Request> requests() {
    return carried.requests();
  }

  boolean isEmpty() {
    return requests().isEmpty() && candidates.isEmpty() && timeouts.isEmpty();
  }

  byte[] encode() {
    BinaryWriter out = new BinaryWriter(64);
    out.writeByte(carried.anySigned() ? SIGNED_VERSION : VERSION);
    carried.writeTo(out);
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
    if (version != VERSION && version != SIGNED_VERSION) {
      throw new CodecException("batch version " + version + ", this build reads " + VERSION
          + " and " + SIGNED_VERSION);
    }
    CarriedRequests carried = CarriedRequests.readFrom(in, version);
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
    return new Batch(carried, candidates, timeouts);
  }
}
