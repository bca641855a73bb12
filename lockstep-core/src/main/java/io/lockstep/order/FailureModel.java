package io.lockstep.order;

/** The failure model a cluster is configured for (paper §2). */
public enum FailureModel {
  /** A faulty component stops, and others can detect it (paper §2). */
  FAIL_STOP,
  /** A faulty component may do anything, even collude with others (paper §2). */
  BYZANTINE
}
