package io.lockstep.order.raft;

import io.lockstep.order.Input;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's reads of entries whose payloads left the in-memory log ({@link RaftLog#evict}):
 * when a follower needs such entries, the core asks the runtime for them
 * ({@link Ready.EntriesWanted}) instead of reading files itself (it does no I/O), and sends
 * them when the answer is stepped ({@link Input.EntriesRead}).
 *
 * <p>At most one read is in flight per follower, so a far-behind follower costs one bounded
 * read at a time. An answer is used only if it still fits: same term of leadership, the
 * follower still expects its first entry, and every entry matches the log's term, agreed time
 * and size; anything else is dropped with the reason. A failed or empty read (a disk error,
 * damage, segments compacted since) sends the follower the snapshot when one covers what it
 * lacks; otherwise the read is asked again at its next heartbeat answer.
 */
final class LogReads {
  /**
   * Most bytes of entries one read brings back: enough for many AppendEntries batches, small
   * enough that a read never holds the log thread long nor the heap much.
   */
  static final long MAX_READ_BYTES = 1 << 20;

  /** A read asked for {@code follower}'s entries from {@code from} in {@code term}. */
  private record Pending(long readId, int follower, long from, long term, long askedAt) {}

  private final Raft raft;
  private final Map<Integer, Pending> byFollower = new HashMap<>();
  private final Map<Long, Pending> byId = new HashMap<>();
  private long nextReadId = 1;
  private long asked;
  private long entriesSent;
  private long failed;

  LogReads(Raft raft) {
    this.raft = raft;
  }

  /**
   * {@code follower} needs entries from {@code from}, which the log holds only on disk: asks
   * for them unless a read for this follower is already in flight.
   */
  void want(int follower, long from) {
    if (byFollower.containsKey(follower)) {
      return;
    }
    RaftLog log = raft.log();
    RaftConfig config = raft.config();
    long to = Math.min(log.cachedFrom() - 1,
        from + (long) config.maxBatchEntries() * config.maxInflightAppends() - 1);
    Pending pending = new Pending(nextReadId++, follower, from, raft.term(), raft.now());
    byFollower.put(follower, pending);
    byId.put(pending.readId(), pending);
    asked++;
    raft.out().wantEntries(new Ready.EntriesWanted(pending.readId(), from, to, MAX_READ_BYTES));
  }

  /** The runtime's answer to a read. */
  void onRead(Input.EntriesRead read) {
    Pending pending = byId.remove(read.readId());
    if (pending == null) {
      raft.drop("log read " + read.readId() + " answered but not asked (or asked by an earlier"
          + " leadership)");
      return;
    }
    byFollower.remove(pending.follower());
    Progress pr = raft.role() == Role.LEADER && raft.term() == pending.term()
        ? raft.replication().progress(pending.follower()) : null;
    if (pr == null || pr.state() == Progress.State.SNAPSHOT || pr.next() != pending.from()) {
      raft.drop("log read of entries from " + pending.from() + " for " + pending.follower()
          + " is stale: the follower or the leadership moved on");
      return;
    }
    String problem = read.failure() != null ? read.failure() : check(read.entries(), pending);
    if (problem != null) {
      failed++;
      raft.drop("log read of entries from " + pending.from() + " for " + pending.follower()
          + " failed: " + problem);
      if (raft.snapshot() != null && raft.snapshot().index() >= pr.next()) {
        raft.replication().sendSnapshotInstead(pending.follower(), pr);
      } // otherwise the follower's next heartbeat answer asks again
      return;
    }
    entriesSent += send(pending.follower(), pr, read.entries());
  }

  /**
   * Sends {@code to} the entries read back for it, in AppendEntries batches while its flow
   * control allows (the rest are read again when it asks), then goes on as usual: from memory
   * once it has reached the cached entries. Returns how many entries were sent.
   */
  private int send(int to, Progress pr, List<LogEntry> entries) {
    int batchSize = raft.config().maxBatchEntries();
    int sent = 0;
    while (sent < entries.size() && !pr.paused()) {
      List<LogEntry> batch = entries.subList(sent, Math.min(entries.size(), sent + batchSize));
      long prevIndex = batch.get(0).index() - 1;
      raft.send(to, new RaftMessage.AppendEntries(raft.term(), prevIndex,
          raft.log().termAt(prevIndex), batch, raft.commitIndex()));
      pr.sentEntries(prevIndex + batch.size(), batch.size());
      sent += batch.size();
      if (pr.state() != Progress.State.REPLICATE) {
        break; // a probe sends one batch and waits for its answer
      }
    }
    raft.replication().resume(to);
    return sent;
  }

  /** Why {@code entries} cannot be sent, or null: they must be the log's own, from the start. */
  private String check(List<LogEntry> entries, Pending pending) {
    if (entries.isEmpty()) {
      return "stable storage no longer holds entry " + pending.from();
    }
    long expected = pending.from();
    for (LogEntry entry : entries) {
      if (entry.index() != expected || !raft.log().holds(entry)) {
        return "entry " + entry.index() + " read back (term " + entry.term()
            + ") is not the log's entry " + expected;
      }
      expected++;
    }
    return null;
  }

  /**
   * Forgets reads asked more than an election timeout ago: an answer lost on the way (a runtime
   * that dropped it) must not keep a follower waiting for good.
   */
  void expire(long now) {
    long timeout = raft.config().electionTimeoutMillis();
    byFollower.values().removeIf(p -> {
      boolean expired = now - p.askedAt() >= timeout;
      if (expired) {
        byId.remove(p.readId());
      }
      return expired;
    });
  }

  /** A new leadership, or none: reads asked before are answered to nobody. */
  void clear() {
    byFollower.clear();
    byId.clear();
  }

  /** True while a read for {@code follower} is in flight. */
  boolean inFlight(int follower) {
    return byFollower.containsKey(follower);
  }

  /** Reads asked so far. */
  long asked() {
    return asked;
  }

  /** Entries sent to followers as read back from stable storage. */
  long entriesSent() {
    return entriesSent;
  }

  /** Reads that failed or came back unusable. */
  long failed() {
    return failed;
  }
}
