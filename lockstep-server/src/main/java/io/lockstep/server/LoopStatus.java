package io.lockstep.server;

import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.replica.Replica;
import java.lang.System.Logger.Level;

/**
 * What a replica's loop tells the rest of the server after each batch: its {@link StatusView}
 * (read by the HTTP port, status and metrics on other threads), the repair and role changes it
 * logs and counts, and the combining condition. Kept apart from {@link ReplicaLoop} so the loop
 * holds only the path of requests and messages. Written by the loop thread only.
 */
final class LoopStatus {
  private static final System.Logger LOG = System.getLogger(ReplicaLoop.class.getName());

  private final ServerMetrics metrics;
  private final CombiningWatch combining = new CombiningWatch();
  private volatile StatusView status;
  /** The protocol repairs damaged storage from its peers (see {@link #repairing()}). */
  private volatile boolean repairing;
  private Role lastRole;
  private int lastLeader = -1;
  private long lastDropped;

  LoopStatus(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  /** The replica's status as of the end of the last batch. */
  StatusView status() {
    return status;
  }

  /** True while the replica repairs damaged storage: it neither votes nor counts toward commits. */
  boolean repairing() {
    return repairing;
  }

  /**
   * Publishes {@code replica}'s status after a batch, logging and counting what changed.
   *
   * @return the status, and whether this replica has just stopped leading
   */
  Published publish(Replica replica) {
    Status s = replica.status();
    noteRepair(replica.repairing(), replica.repairReason(), s);
    replica.drainBrokenAssumptions().forEach(metrics::assumptionBroken);
    replica.drainRepairedAssumptions().forEach(metrics::assumptionRepaired); // after: see there
    if (replica.dropped() != lastDropped) { // copying the reasons only when one was added
      lastDropped = replica.dropped();
      metrics.protocolDrops(replica.dropsByReason());
    }
    CombiningWatch.View condition = combining.update(replica.configuration(), s);
    status = new StatusView(s.self(), s.role(), s.term(), s.leader(), s.commitIndex(),
        s.lastIndex(), replica.appliedThrough(), s.snapshotIndex(), condition.voters(),
        condition.margin(), condition.learners());
    boolean lostLeadership = false;
    if (s.role() != lastRole) {
      if (s.role() == Role.CANDIDATE) {
        metrics.election();
      }
      lostLeadership = lastRole == Role.LEADER;
      LOG.log(Level.INFO, "event=role_change replica=" + s.self() + " role=" + s.role()
          + " term=" + s.term() + " leader=" + s.leader());
      lastRole = s.role();
    }
    if (s.leader() != lastLeader) {
      metrics.leaderChange(s.term(), s.leader());
      lastLeader = s.leader();
    }
    return new Published(s, lostLeadership);
  }

  private void noteRepair(boolean now, String reason, Status s) {
    if (now == repairing) {
      return;
    }
    repairing = now;
    LOG.log(repairing ? Level.WARNING : Level.INFO, "event=" + (repairing ? "repair_started"
        : "repair_finished") + " replica=" + s.self() + " commit_index=" + s.commitIndex()
        + " last_index=" + s.lastIndex() + (repairing && !reason.isEmpty()
            ? " reason=\"" + reason + "\"" : ""));
    if (!repairing) {
      metrics.repaired();
    }
  }

  /**
   * @param status the protocol's status just published
   * @param lostLeadership whether the replica led before this batch and does not now
   */
  record Published(Status status, boolean lostLeadership) {}
}
