package io.lockstep.replica;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Reply;
import java.util.List;
import java.util.Objects;

/**
 * What the runtime must do after one call into a {@link Replica}, in this order: make
 * {@code writes} durable (fsync), then send {@code messages}, then deliver {@code replies},
 * {@code reads} and {@code redirects} to clients and digest and record {@code checkpoints}. The
 * executor part (installing snapshots, applying stable requests, answering reads) is already
 * done.
 *
 * @param writes stable-storage changes, in order
 * @param messages messages to other replicas, sendable once {@code writes} are durable
 * @param replies replies to client requests, in the order they were produced
 * @param reads answers to linearizable reads
 * @param redirects requests and reads this replica will not handle, with a leader hint
 * @param checkpoints states captured at the positions where their digests are compared for
 *     divergence detection (S1); a digest ({@link Checkpoint#of}) streams the whole state, so
 *     the replica only captures it (O(keys), no copy of the data) and leaves the pass over it to
 *     the runtime, which the server makes on a thread of its own, off the loop (a position whose
 *     capture is the snapshot to write has none here: see {@link Replica#takeCapturedSnapshot()})
 * @param entryReads log entries the protocol asks to have read back from stable storage, after
 *     {@code writes}; each answer is stepped as a {@link Step.EntriesRead}
 */
public record Effects(
    List<StorageWrite> writes,
    List<Ready.Outbound> messages,
    List<Reply> replies,
    List<QueryResult> reads,
    List<Ready.Redirect> redirects,
    List<CapturedSnapshot> checkpoints,
    List<Ready.EntriesWanted> entryReads) {

  /** Nothing to do. */
  public static final Effects NONE =
      new Effects(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

  /** Effects without reads of log entries. */
  public Effects(List<StorageWrite> writes, List<Ready.Outbound> messages, List<Reply> replies,
      List<QueryResult> reads, List<Ready.Redirect> redirects,
      List<CapturedSnapshot> checkpoints) {
    this(writes, messages, replies, reads, redirects, checkpoints, List.of());
  }

  public Effects {
    writes = List.copyOf(writes);
    messages = List.copyOf(messages);
    replies = List.copyOf(replies);
    reads = List.copyOf(reads);
    redirects = List.copyOf(redirects);
    checkpoints = List.copyOf(checkpoints);
    entryReads = List.copyOf(entryReads);
  }

  /** True when there is nothing to do. */
  public boolean isEmpty() {
    return writes.isEmpty() && messages.isEmpty() && replies.isEmpty() && reads.isEmpty()
        && redirects.isEmpty() && checkpoints.isEmpty() && entryReads.isEmpty();
  }
}
