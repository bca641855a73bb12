package io.lockstep.order;

/** A replica's role in a leader-based protocol, as shown by status and metrics. */
public enum Role {
  FOLLOWER,
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
