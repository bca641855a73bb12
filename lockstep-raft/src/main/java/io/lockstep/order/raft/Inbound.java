package io.lockstep.order.raft;

import io.lockstep.order.ProtocolMessage;

/**
 * What a received message goes through before the part that handles it: the shape check
 * ({@link MessageCheck}), the messages that stand outside Raft's term rules (incarnation probes
 * and answers for {@link WipeCheck}, removal notices), then the term rules of §3.3 — an older
 * term is dropped and answered, a newer one adopted unless pre-vote (§9.6) or leader stickiness
 * (§4.2.3) says otherwise — and only then {@link Dispatch}.
 *
 * <p>Separate from {@link Raft} because this gate is one rule set read as a whole (the order of
 * its checks matters: a removed replica's campaign must be answered before it can move anyone's
 * term), while Raft keeps the state and the transitions the gate calls.
 */
final class Inbound {
  private final Raft raft;
  private final Dispatch dispatch;
  private final RemovalNotice removalNotice;

  Inbound(Raft raft) {
    this.raft = raft;
    this.dispatch = new Dispatch(raft);
    this.removalNotice = new RemovalNotice(raft);
  }

  void receive(int from, ProtocolMessage message) {
    String rejection = MessageCheck.rejection(from, message, raft.self());
    if (rejection != null) {
      raft.drop(rejection);
      return;
    }
    RaftMessage m = (RaftMessage) message;
    boolean clockStarted = raft.clock().started();
    if (m instanceof RaftMessage.IncarnationAnswer answer) {
      // Outside elections and replication: no term rules. The census hears it after the check,
      // so that the answer revealing a wipe already counts toward the census the wipe starts.
      raft.wipeCheck().onAnswer(from, answer);
      raft.repair().onPeerMessage(from, m, clockStarted);
      return;
    }
    raft.repair().onPeerMessage(from, m, clockStarted);
    if (m instanceof RaftMessage.IncarnationProbe probe) {
      raft.wipeCheck().onProbe(from, probe);
      return;
    }
    if (m instanceof RaftMessage.NotMember notice) {
      removalNotice.onNotMember(from, notice);
      return;
    }
    if ((m instanceof RaftMessage.PreVote || m instanceof RaftMessage.RequestVote)
        && removalNotice.answerIfNotMember(from)) {
      return; // before the term rules: a removed replica's campaign moves nobody's term
    }
    if (m.term() < raft.term()) {
      onStaleTerm(from, m);
      return;
    }
    if (m.term() > raft.term() && !adoptHigherTerm(from, m)) {
      return;
    }
    dispatch.dispatch(from, m);
  }

  /** Raft's rule for a message from an older term (§3.3): drop it, answer requests. */
  private void onStaleTerm(int from, RaftMessage m) {
    raft.drop("stale term " + m.term() + " from " + from + ", current term " + raft.term());
    RaftMessage answer = MessageCheck.staleTermAnswer(m, raft.term(), raft.wallClock(),
        raft.holdsBack());
    if (answer != null) {
      raft.send(from, answer);
    }
  }

  /** A message from a newer term; returns false if it must be ignored instead. */
  private boolean adoptHigherTerm(int from, RaftMessage m) {
    if (m instanceof RaftMessage.PreVote
        || (m instanceof RaftMessage.PreVoteResponse r && r.granted())) {
      return true; // pre-votes never change anyone's term (§9.6)
    }
    if (m instanceof RaftMessage.RequestVote v && !v.transfer() && raft.inLease()) {
      return false; // leader stickiness (§4.2.3): do not even adopt the term
    }
    boolean fromLeader = m instanceof RaftMessage.AppendEntries
        || m instanceof RaftMessage.Heartbeat || m instanceof RaftMessage.InstallSnapshot
        || m instanceof RaftMessage.TimeoutNow;
    raft.becomeFollower(m.term(), fromLeader ? from : Raft.NONE);
    return true;
  }
}
