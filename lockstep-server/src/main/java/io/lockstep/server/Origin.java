package io.lockstep.server;

import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;

/**
 * Where the answer to one client question goes: a client connection on the client port, a Redis
 * command's future, or a request forwarded for another replica. Called on the loop thread or, for
 * answers released by a group commit, on the log thread; implementations only enqueue or
 * complete futures.
 */
interface Origin {
  /** The request's reply (paper §4: one replica's output). */
  void replied(Reply reply);

  /** The read's result. */
  void readResult(QueryResult result);

  /** Nothing was ordered: this replica does not lead. */
  void redirect(int leaderHint, String leaderAddress, String reason);

  /** Nothing was ordered by this attempt: overloaded, shutting down or connection lost. */
  void busy(String reason);

  /**
   * The loop took the question off its queue (it is being proposed or read now). Called on the
   * loop thread before any answer; edges that bound the bytes queued for a client free them
   * here rather than at the answer, as a request may then wait in the executor for an earlier
   * one (O1) that could not enter while it held the budget.
   */
  default void taken() {}

  /**
   * The client's tag for this question on its connection, or -1 if it came another way: the
   * journal names a read by its client and this tag, which the client journals too.
   */
  default long tag() {
    return -1;
  }
}
