package io.lockstep.order.cuid;

import io.lockstep.order.stamped.Uid;
import io.lockstep.request.Request;
import java.util.HashMap;
import java.util.Map;

/** What one replica knows of one request in the two-phase scheme (§3.2.3). */
final class Proposal {
  /** The request's id: its disseminating replica and that replica's broadcast number. */
  record Id(int origin, long seq) {}

  final Id id;
  /** Null until the request itself has arrived. */
  CuidMessage.Kind kind;
  Request request;
  long wallClock;
  /** Byzantine order: the round at whose start this replica saw the request. */
  long seenRound;
  /** This replica's candidate: set when it sees the request. */
  Uid own;
  /** Candidates by replica, and the broadcast number that carried each. */
  final Map<Integer, Uid> candidates = new HashMap<>();
  final Map<Integer, Long> carriedBy = new HashMap<>();
  /**
   * A rejoined replica holds it below its boundary (paper §7.2): it has no candidate of its own
   * for it and never will; its uid is the other replicas' ({@link CandidateJoin}).
   */
  boolean inherited;
  /** Set when accepted. */
  Uid uid;
  /** ABCAST: the uid its coordinator disseminated, once it arrived here. */
  Uid finalUid;
  /** ABCAST: this replica, as coordinator, disseminated the uid. */
  boolean decided;

  Proposal(Id id) {
    this.id = id;
  }

  boolean seen() {
    return own != null;
  }
}
