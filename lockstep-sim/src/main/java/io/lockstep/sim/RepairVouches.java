package io.lockstep.sim;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.raft.RaftMessage;

/**
 * The messages by which a replica vouches for its own state to others, which a replica
 * repairing damaged storage must never send: a granted vote or pre-vote (it may lack entries
 * committed by counting its lost copy) and an AppendEntries acknowledgement not marked
 * "repairing" (a leader would count it toward a commit). The simulator names the protocols it
 * checks; a protocol added later adds its own messages here.
 */
final class RepairVouches {
  private RepairVouches() {}

  /** What {@code message} vouches for, or null if nothing. */
  static String describe(ProtocolMessage message) {
    if (message instanceof RaftMessage.RequestVoteResponse r && r.granted()) {
      return "grants a vote in term " + r.term();
    }
    if (message instanceof RaftMessage.PreVoteResponse r && r.granted()) {
      return "grants a pre-vote for term " + r.term();
    }
    if (message instanceof RaftMessage.AppendEntriesResponse r && !r.repairing()) {
      return "acknowledges index " + r.index() + " without marking it repairing";
    }
    return null;
  }
}
