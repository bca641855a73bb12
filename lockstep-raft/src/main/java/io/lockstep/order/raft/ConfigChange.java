package io.lockstep.order.raft;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leader's side of membership changes: single-server changes (§4.1–4.2 of Ongaro's
 * dissertation), one at a time, each a configuration entry that takes effect as soon as it is
 * in a log. We chose single-server changes over joint consensus: any two majorities of
 * configurations that differ by one server intersect, so one entry suffices, and every change
 * an operator or configurator needs (replace = add, then remove) is a sequence of them.
 *
 * <p>The rules, each of which a known failure motivates:
 *
 * <ul>
 *   <li><b>A new leader commits an entry of its own term before any change.</b> Without it, a
 *       change racing a leader change can leave two logs with different uncommitted changes
 *       whose configurations have disjoint majorities, and two leaders are elected in one term
 *       (the bug Ongaro reported on raft-dev in 2015). Committing the leader's no-op means a
 *       majority of the current configuration holds this term, so no older uncommitted change
 *       can win an election any more.
 *   <li><b>One change at a time:</b> none while the previous configuration entry is uncommitted.
 *   <li><b>New servers catch up first</b> (§4.2.1): an added replica is a learner, known only to
 *       this leader, which sends it the snapshot and log but counts it in no quorum; it becomes
 *       a voter by a configuration entry only once it holds everything committed and its
 *       answers no longer say it repairs (a new replica first checks with its peers that it was
 *       not wiped, {@link WipeCheck}). A leader change forgets learners: the caller asks again.
 *   <li><b>Removing the leader</b> (§4.2.2): the leader appends the configuration without
 *       itself, keeps replicating without counting itself, and once that entry commits steps
 *       down and hands leadership to the most up-to-date voter (TimeoutNow), so the cluster does
 *       not wait an election timeout.
 * </ul>
 */
final class ConfigChange {
  private final Raft raft;
  private final Set<Integer> learners = new TreeSet<>();
  private String lastRefusal = "";
  /** Index of the configuration this leader last settled its followers for after a commit. */
  private long settled = -1;

  ConfigChange(Raft raft) {
    this.raft = raft;
  }

  /** An operator's or configurator's request; refused with a reason unless it can start now. */
  void request(ChangeMembership change) {
    String refusal = switch (change.change()) {
      case ADD -> add(change.replica());
      case REMOVE -> remove(change.replica());
    };
    lastRefusal = refusal == null ? "" : refusal;
  }

  private String add(int replica) {
    String refusal = leaderRefusal();
    if (refusal != null) {
      return refusal;
    }
    Membership membership = raft.membership();
    if (membership.isVoter(replica)) {
      return "replica " + replica + " is already a voter";
    }
    if (learners.add(replica)) {
      raft.replication().syncPeers(targets(), true);
    }
    return null;
  }

  private String remove(int replica) {
    String refusal = leaderRefusal();
    if (refusal != null) {
      return refusal;
    }
    if (learners.remove(replica)) {
      raft.replication().syncPeers(targets(), true);
      return null;
    }
    List<Integer> voters = raft.membership().voters();
    if (!voters.contains(replica)) {
      return "replica " + replica + " is not a member of " + voters;
    }
    if (voters.size() == 1) {
      return "replica " + replica + " is the only voter; a configuration needs one";
    }
    List<Integer> next = new ArrayList<>(voters);
    next.remove(Integer.valueOf(replica));
    return propose(next);
  }

  private String leaderRefusal() {
    if (raft.role() != Role.LEADER) {
      return "not the leader (leader: " + raft.leader() + ")";
    }
    if (raft.replication().transferring()) {
      return "leadership transfer in progress";
    }
    return null;
  }

  /** Appends a configuration entry naming {@code voters}, or says why not now. */
  private String propose(List<Integer> voters) {
    Membership membership = raft.membership();
    if (membership.index() > raft.commitIndex()) {
      return "the change at index " + membership.index() + " is not committed yet";
    }
    if (!raft.committedInOwnTerm() && raft.bug() != Raft.Bug.CHANGE_BEFORE_OWN_TERM_COMMIT) {
      return "this leader has not committed an entry of its term " + raft.term()
          + " yet; a change now could race an earlier leader's uncommitted one";
    }
    raft.appendLocal(ConfigEntry.encode(raft.log().lastIndex() + 1, voters));
    raft.replication().syncPeers(targets(), true);
    return null;
  }

  /**
   * A learner answered: once it holds everything committed, it is made a voter (the commit
   * that follows is counted with it, so it must not lag behind what is already committed).
   * Not while its answers say it repairs (or has not yet checked its first start with its
   * peers, {@link WipeCheck}): its acknowledgements would count for nothing, and a voter that
   * cannot count shrinks the margin that catching up first is meant to keep (with two such new
   * voters among four, nothing commits).
   */
  void onProgress(int peer, long match) {
    if (!learners.contains(peer) || match < raft.commitIndex()
        || raft.replication().repairing(peer)) {
      return;
    }
    List<Integer> voters = new ArrayList<>(raft.membership().voters());
    voters.add(peer);
    String refusal = propose(voters);
    if (refusal == null) {
      learners.remove(peer);
    }
  }

  /**
   * The commit index moved: once the configuration that removed this leader commits, it steps
   * down and lets the most up-to-date voter campaign at once (§4.2.2, §3.10).
   */
  void onCommit() {
    Membership membership = raft.membership();
    if (membership.index() > raft.commitIndex() || membership.index() == settled) {
      return;
    }
    settled = membership.index();
    if (membership.isVoter(raft.self())) {
      raft.replication().syncPeers(targets(), true); // replicas removed by a committed entry go
      for (int learner : List.copyOf(learners)) {
        onProgress(learner, raft.replication().progress(learner).match());
      }
      return;
    }
    int successor = raft.replication().mostUpToDate(membership.voters());
    if (successor != Raft.NONE) {
      raft.send(successor, new RaftMessage.TimeoutNow(raft.term()));
    }
    raft.becomeFollower(raft.term(), Raft.NONE);
  }

  /** Who the leader replicates to: the voters of both the newest and the committed config. */
  Set<Integer> targets() {
    Membership membership = raft.membership();
    Set<Integer> targets = new TreeSet<>(membership.voters());
    targets.addAll(membership.at(raft.commitIndex()));
    targets.addAll(learners);
    targets.remove(raft.self());
    return targets;
  }

  /** Leadership ended: learners were this leader's business alone. */
  void stop() {
    learners.clear();
    settled = -1;
  }

  /** What {@link Raft#configuration()} reports: learners only on the leader, which has them. */
  Configuration view() {
    Membership membership = raft.membership();
    return new Configuration(membership.voters(),
        raft.role() == Role.LEADER ? List.copyOf(learners) : List.of(), membership.index(),
        membership.isReported() || membership.index() <= raft.commitIndex(), lastRefusal,
        raft.role() == Role.LEADER ? raft.replication().silence() : Map.of());
  }

  String lastRefusal() {
    return lastRefusal;
  }

  /** An input the protocol cannot act on (this replica is not the leader, or not a voter). */
  void refuse(String reason) {
    lastRefusal = reason;
  }
}
