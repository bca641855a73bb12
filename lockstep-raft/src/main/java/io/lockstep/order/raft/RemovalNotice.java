package io.lockstep.order.raft;

import io.lockstep.order.Role;

/**
 * Tells a removed replica that it was removed, and hears it (dissertation §4.2.3's "disruptive
 * servers", from the removed server's side). The leader stops replicating to a replica once
 * the configuration that removes it is in its log, so a replica removed while it was down, and
 * restarted with a log from before its removal, would never hear of it: it still counts itself
 * a voter and campaigns for ever. A member that receives a pre-vote or vote request from a
 * replica its committed configuration does not include answers with that configuration
 * ({@link RaftMessage.NotMember}) instead of voting, before the term rules, so such a request
 * moves nobody's term either. The removed replica takes the reported configuration as its own
 * until its log reaches it ({@link Membership#reported}), and so stops campaigning; it keeps
 * it in its hard state ({@link TermAndVote.Removal}), so a restart does not make it campaign
 * again.
 */
final class RemovalNotice {
  private final Raft raft;

  RemovalNotice(Raft raft) {
    this.raft = raft;
  }

  /**
   * Answers a vote or pre-vote request from {@code from} with {@link RaftMessage.NotMember} if
   * this replica's configuration is committed, made by a log entry (the file's initial
   * voters prove nothing: a replica outside them is a spare, which never campaigns), and does
   * not include {@code from}. Returns true if it answered (the request is then not handled).
   */
  boolean answerIfNotMember(int from) {
    Membership membership = raft.membership();
    long index = membership.index();
    if (index == 0 || index > raft.commitIndex() || membership.isReported()
        || membership.isVoter(from)) {
      return false;
    }
    raft.send(from, new RaftMessage.NotMember(raft.term(), index, membership.voters()));
    return true;
  }

  /** A peer says its committed configuration does not include this replica. */
  void onNotMember(int from, RaftMessage.NotMember notice) {
    if (notice.voters().contains(raft.self())) {
      raft.drop("NotMember from " + from + " naming this replica among its voters");
      return;
    }
    if (!raft.membership().reported(notice.configIndex(), notice.voters())) {
      return; // this log already holds that configuration or a newer one
    }
    // Durable before anything else leaves: a restart must not make it campaign again.
    raft.persistHardState();
    if (raft.role() == Role.PRE_CANDIDATE || raft.role() == Role.CANDIDATE) {
      raft.becomeFollower(raft.term(), Raft.NONE);
    }
  }
}
