package io.lockstep.order.raft;

import io.lockstep.configuration.MembershipEntry;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.List;

/**
 * A configuration entry in the log (§4.1): the voters of the new configuration, carried as a
 * null request of a reserved client. A null request is ordered but never executed (paper
 * §3.2.1), so the executor, the storage codec and the wire codec carry it unchanged, and every
 * replica reads the same configuration at the same position: the configuration is replicated
 * state, changed by an ordered command (paper §7). The format is core's
 * {@link MembershipEntry}, because the executor reads these entries too: its replica set
 * follows the membership they commit.
 */
final class ConfigEntry {
  /** The reserved issuer of configuration entries; a client proposing as it is refused. */
  static final ClientId ISSUER = MembershipEntry.ISSUER;
  /** More voters than any real cluster has; bounds what a malformed entry can make us allocate. */
  static final int MAX_VOTERS = MembershipEntry.MAX_VOTERS;

  private ConfigEntry() {}

  /** True for a request that is a configuration entry (or pretends to be one). */
  static boolean is(Request request) {
    return MembershipEntry.is(request);
  }

  /** The entry naming {@code voters}; {@code sequence} is its log index (any positive value). */
  static Request encode(long sequence, List<Integer> voters) {
    return MembershipEntry.encode(sequence, voters);
  }

  /** The voters an entry names, ascending. */
  static List<Integer> voters(Request request) {
    return MembershipEntry.voters(request);
  }

  /** Why {@code request} is not a well-formed configuration entry, or null if it is one. */
  static String problem(Request request) {
    return MembershipEntry.problem(request);
  }
}
