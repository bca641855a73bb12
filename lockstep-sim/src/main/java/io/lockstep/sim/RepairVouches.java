package io.lockstep.sim;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.pbft.PbftMessage;
import io.lockstep.order.raft.RaftMessage;

/**
 * The messages by which a replica vouches for its own state to others, which a replica
 * repairing damaged storage must never send: a granted vote or pre-vote (it may lack entries
 * committed by counting its lost copy) and an AppendEntries acknowledgement not marked
 * "repairing" (a leader would count it toward a commit); in PBFT every vote: a pre-prepare,
 * prepare, commit, checkpoint vote or view change (it may have voted differently
 * before the damage). The simulator names the protocols it checks; a protocol added later adds
 * its own messages here.
 */
final class RepairVouches {
  private RepairVouches() {}

  /** What {@code message}, sent by {@code from}, vouches for, or null if nothing. */
  static String describe(int from, ProtocolMessage message) {
    if (message instanceof RaftMessage.RequestVoteResponse r && r.granted()) {
      return "grants a vote in term " + r.term();
    }
    if (message instanceof RaftMessage.PreVoteResponse r && r.granted()) {
      return "grants a pre-vote for term " + r.term();
    }
    if (message instanceof RaftMessage.AppendEntriesResponse r && !r.repairing()) {
      return "acknowledges index " + r.index() + " without marking it repairing";
    }
    return message instanceof PbftMessage m ? describePbft(from, m) : null;
  }

  /**
   * A PBFT replica relays others' signed messages (a stable checkpoint's proof, the new view it
   * entered): only those signed as its own are its votes.
   */
  private static String describePbft(int from, PbftMessage message) {
    if (message instanceof PbftMessage.PrePrepare m) {
      return "pre-prepares seq " + m.seq() + " in view " + m.view();
    }
    if (message instanceof PbftMessage.Prepare m) {
      return "prepares seq " + m.seq() + " in view " + m.view();
    }
    if (message instanceof PbftMessage.Commit m) {
      return "commits seq " + m.seq() + " in view " + m.view();
    }
    if (message instanceof PbftMessage.CheckpointVote m && m.replica() == from) {
      return "votes for checkpoint " + m.seq();
    }
    if (message instanceof PbftMessage.ViewChange m && m.replica() == from) {
      return "sends a view change for view " + m.newView();
    }
    // A new view is not listed: a replica relays the one its view began with to laggards, and
    // that one is its primary's; sending one of its own needs its own view change first.
    return null;
  }
}
