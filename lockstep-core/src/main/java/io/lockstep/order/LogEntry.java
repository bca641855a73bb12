package io.lockstep.order;

import io.lockstep.request.Request;
import java.util.Objects;

/**
 * One position of a replicated log.
 *
 * @param index the log position (1-based), which becomes the request's identifier
 * @param term the term (Raft) or view (PBFT) in which the entry was proposed
 * @param time the agreed timestamp assigned by the proposer, non-decreasing along the log
 * @param request the client request, or null for a protocol no-op (e.g. a new leader's entry)
 */
public record LogEntry(long index, long term, long time, Request request) {
  public LogEntry {
    if (index < 1) {
      throw new IllegalArgumentException("index must be at least 1, was " + index);
    }
    if (term < 0) {
      throw new IllegalArgumentException("term must not be negative, was " + term);
    }
  }

  /** True for an entry that orders no client request. */
  public boolean isNoOp() {
    return request == null;
  }

  /** Objects.equals-friendly view used by the log-matching checks. */
  public boolean sameAs(LogEntry other) {
    return index == other.index && term == other.term && time == other.time
        && Objects.equals(request, other.request);
  }
}
