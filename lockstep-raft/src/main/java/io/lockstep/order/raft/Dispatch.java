package io.lockstep.order.raft;

import io.lockstep.order.Role;

/**
 * Hands a valid message of the current term to the part of the protocol that handles it: votes
 * and pre-votes to the election, a leader's messages (once its leadership of the term is
 * accepted, §3.6.3) to the follower side, and answers to the leader's replication, which only a
 * leader still heeds.
 */
final class Dispatch {
  private final Raft raft;

  Dispatch(Raft raft) {
    this.raft = raft;
  }

  void dispatch(int from, RaftMessage m) {
    Election election = raft.election();
    if (m instanceof RaftMessage.PreVote v) {
      election.onPreVote(from, v);
    } else if (m instanceof RaftMessage.PreVoteResponse r) {
      election.onPreVoteResponse(from, r);
    } else if (m instanceof RaftMessage.RequestVote v) {
      election.onRequestVote(from, v);
    } else if (m instanceof RaftMessage.RequestVoteResponse r) {
      election.onVoteResponse(from, r);
    } else if (m instanceof RaftMessage.AppendEntries a) {
      if (raft.acceptLeader(from)) {
        raft.follower().onAppendEntries(from, a);
      }
    } else if (m instanceof RaftMessage.Heartbeat h) {
      if (raft.acceptLeader(from)) {
        raft.follower().onHeartbeat(from, h);
      }
    } else if (m instanceof RaftMessage.InstallSnapshot s) {
      if (raft.acceptLeader(from)) {
        raft.follower().onInstallSnapshot(from, s);
      }
    } else if (m instanceof RaftMessage.SnapshotSource s) {
      if (raft.acceptLeader(from)) {
        raft.fetch().onSource(from, s);
      }
    } else if (m instanceof RaftMessage.FetchSnapshot f) {
      raft.fetch().onFetch(from, f); // any replica serves its stored snapshot, leader or not
    } else if (m instanceof RaftMessage.SnapshotChunk c) {
      if (raft.role() != Role.LEADER) {
        raft.fetch().onChunk(from, c);
      }
    } else if (m instanceof RaftMessage.TimeoutNow) {
      if (raft.acceptLeader(from)) {
        election.campaign(true);
      }
    } else {
      toLeader(from, m);
    }
  }

  private void toLeader(int from, RaftMessage m) {
    if (raft.role() != Role.LEADER) {
      return; // a late answer to a leader we no longer are
    }
    Replication replication = raft.replication();
    if (!replication.tracks(from)) {
      raft.drop("answer from " + from + ", to whom this leader does not replicate");
      return;
    }
    replication.heardFrom(from);
    if (m instanceof RaftMessage.AppendEntriesResponse r) {
      replication.onAppendResponse(from, r);
    } else if (m instanceof RaftMessage.HeartbeatResponse r) {
      replication.onHeartbeatResponse(from, r);
    } else if (m instanceof RaftMessage.InstallSnapshotResponse r) {
      replication.onSnapshotResponse(from, r);
    }
  }
}
