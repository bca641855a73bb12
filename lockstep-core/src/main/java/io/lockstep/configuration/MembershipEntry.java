package io.lockstep.configuration;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A protocol's membership entry: the voters of its new configuration, ordered as a null
 * request of a reserved client (Raft's configuration entries, §4.1 of its dissertation, are
 * these). A null request is ordered but never executed by the state machine (paper §3.2.1), so
 * the storage and wire codecs carry it unchanged and every replica meets it at the same
 * position; the executor reads it there and makes its replica set (paper §7: S, which clients'
 * and devices' voters count) follow the protocol's committed membership. Layout: {@code int n,
 * n × int voter}, ascending and distinct.
 */
public final class MembershipEntry {
  /** The reserved issuer of membership entries; a client proposing as it is refused. */
  public static final ClientId ISSUER = ClientId.of("lockstep.configuration");
  /** More voters than any real cluster has; bounds what a malformed entry can make us allocate. */
  public static final int MAX_VOTERS = 1024;

  private MembershipEntry() {}

  /** True for a request that is a membership entry (or pretends to be one). */
  public static boolean is(Request request) {
    return request != null && request.kind() == Request.Kind.NULL
        && request.client().equals(ISSUER);
  }

  /** The entry naming {@code voters}; {@code sequence} is its log index (any positive value). */
  public static Request encode(long sequence, List<Integer> voters) {
    ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * voters.size());
    buffer.putInt(voters.size());
    voters.stream().sorted().forEach(buffer::putInt);
    return new Request(ISSUER, sequence, Request.Kind.NULL, buffer.array(), null);
  }

  /**
   * The voters an entry names, ascending.
   *
   * @throws IllegalArgumentException if the entry is malformed ({@link #problem})
   */
  public static List<Integer> voters(Request request) {
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

  /** Why {@code request} is not a well-formed membership entry, or null if it is one. */
  public static String problem(Request request) {
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
