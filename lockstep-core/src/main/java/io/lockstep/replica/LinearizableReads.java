package io.lockstep.replica;

import io.lockstep.executor.Executor;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.ClientId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replica's linearizable reads between their arrival and their answer: each waits for the
 * protocol to grant it a position, then for the executor to have applied that position, and
 * runs its query on the state as of then. Bounded by {@link Replica#MAX_PENDING_READS}, so a
 * flood of reads cannot exhaust memory.
 */
final class LinearizableReads {
  private final int replica;
  private final Map<Long, PendingRead> reads = new HashMap<>();
  /** Granted reads by position, then grant order: serving them needs no scan of all reads. */
  private final TreeMap<Long, ArrayDeque<Long>> granted = new TreeMap<>();

  LinearizableReads(int replica) {
    this.replica = replica;
  }

  boolean isPending(long readId) {
    return reads.containsKey(readId);
  }

  int size() {
    return reads.size();
  }

  /**
   * Takes a read to wait for its grant; false (and nothing kept) when the bound is reached, and
   * {@link #refusal} says why.
   */
  boolean admit(long readId, ClientId caller, byte[] query) {
    if (reads.size() >= Replica.MAX_PENDING_READS) {
      return false;
    }
    reads.put(readId, new PendingRead(caller, query.clone()));
    return true;
  }

  QueryResult refusal(long readId) {
    return QueryResult.refused(readId, "too many pending reads at replica " + replica
        + "; the limit is " + Replica.MAX_PENDING_READS);
  }

  /** The protocol granted {@code readId} the position {@code position} (only the first counts). */
  void grant(long readId, long position) {
    PendingRead read = reads.get(readId);
    if (read != null && read.position < 0) {
      read.position = position;
      granted.computeIfAbsent(position, p -> new ArrayDeque<>()).add(readId);
    }
  }

  /** The protocol redirected {@code readId}: forget it; whether it was pending. */
  boolean cancel(long readId) {
    return reads.remove(readId) != null;
  }

  /** Answers, into {@code out}, every read whose granted position is at or below {@code applied}. */
  void serve(long applied, Executor executor, List<QueryResult> out) {
    while (!granted.isEmpty() && granted.firstKey() <= applied) {
      Map.Entry<Long, ArrayDeque<Long>> due = granted.pollFirstEntry();
      for (long readId : due.getValue()) {
        PendingRead read = reads.get(readId);
        // A read redirected after its grant and its id reused must wait for its own grant.
        if (read != null && read.position == due.getKey()) {
          reads.remove(readId);
          out.add(query(readId, read, executor));
        }
      }
    }
  }

  private static QueryResult query(long readId, PendingRead read, Executor executor) {
    try {
      return QueryResult.ok(readId, executor.query(read.caller, read.query));
    } catch (Rejection r) {
      return QueryResult.refused(readId, r.getMessage() == null ? "rejected" : r.getMessage());
    } catch (RuntimeException e) {
      // A query's answer goes to one client and is never replicated (no session cache, no
      // snapshot, no digest), so it may carry the exception's JDK-worded detail.
      return QueryResult.refused(readId,
          "query failed: " + e.getClass().getName() + ": " + e.getMessage());
    }
  }

  /** A read waiting for its grant ({@code position} -1) or for its position to be applied. */
  private static final class PendingRead {
    final ClientId caller;
    final byte[] query;
    long position = -1;

    PendingRead(ClientId caller, byte[] query) {
      this.caller = caller;
      this.query = query;
    }
  }
}
