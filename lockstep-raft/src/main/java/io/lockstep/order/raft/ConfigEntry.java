package io.lockstep.order.raft;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A configuration entry in the log (§4.1): the voters of the new configuration, carried as a
 * null request of a reserved client. A null request is ordered but never executed (paper
 * §3.2.1), so the executor, the storage codec and the wire codec carry it unchanged, and every
 * replica reads the same configuration at the same position: the configuration is replicated
 * state, changed by an ordered command (paper §7).
 */
final class ConfigEntry {
  /** The reserved issuer of configuration entries; a client proposing as it is refused. */
  static final ClientId ISSUER = ClientId.of("lockstep.configuration");
  /** More voters than any real cluster has; bounds what a malformed entry can make us allocate. */
  static final int MAX_VOTERS = 1024;

  private ConfigEntry() {}

  /** True for a request that is a configuration entry (or pretends to be one). */
  static boolean is(Request request) {
    return request != null && request.kind() == Request.Kind.NULL
        && request.client().equals(ISSUER);
  }

  /** The entry naming {@code voters}; {@code sequence} is its log index (any positive value). */
  static Request encode(long sequence, List<Integer> voters) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * voters.size());
    buffer.putInt(voters.size());
    voters.stream().sorted().forEach(buffer::putInt);
    return new Request(ISSUER, sequence, Request.Kind.NULL, buffer.array(), null);
  }

  /** The voters an entry names, ascending. */
  static List<Integer> voters(Request request) {
    String problem = problem(request);
    if (problem != null) {
      throw new IllegalArgumentException("configuration entry: " + problem);
    }
    ByteBuffer buffer = ByteBuffer.wrap(request.command());
    int count = buffer.getInt();
    List<Integer> voters = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      voters.add(buffer.getInt());
    }
    return List.copyOf(voters);
  }

  /** Why {@code request} is not a well-formed configuration entry, or null if it is one. */
  static String problem(Request request) {
    byte[] bytes = request.command();
    if (bytes.length < 4) {
      return "too short (" + bytes.length + " bytes)";
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int count = buffer.getInt();
    if (count < 1 || count > MAX_VOTERS || bytes.length != 4 + 4L * count) {
      return "names " + count + " voters in " + bytes.length + " bytes";
    }
    Set<Integer> seen = new HashSet<>();
    int previous = -1;
    for (int i = 0; i < count; i++) {
      int id = buffer.getInt();
      if (id <= previous || !seen.add(id)) {
        return "voter ids must be non-negative, distinct and ascending, got " + id
            + " after " + previous;
      }
      previous = id;
    }
    return null;
  }
}
