package io.lockstep.order;

import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The seam for a misbehaving replica (equivocation, forged or replayed messages): every message a
 * replica with an interceptor sends passes through it first, and what it returns is sent instead.
 *
 * <p>An interceptor may drop a message (return an empty list), duplicate it, alter it (return a
 * different message or destination), or replay messages it kept from earlier calls. It runs on the
 * simulator's thread (or a replica process's loop thread, see {@link Protocol#testBehaviour}) and
 * must draw any randomness from {@code random} so simulated runs stay replayable.
 */
@FunctionalInterface
public interface MessageInterceptor {
  /** Leaves every message unchanged. */
  MessageInterceptor HONEST = (from, outbound, random) -> List.of(outbound);

  /**
   * @param from the replica sending
   * @param outbound the message the protocol wants to send
   * @param random the interceptor's own seeded random stream
   * @return the messages to send in its place, in order
   */
  List<Ready.Outbound> intercept(int from, Ready.Outbound outbound, RandomGenerator random);

  /**
   * How long the replica holds {@code sent} (one of {@link #intercept}'s results) before it
   * leaves, in simulated nanoseconds (a primary that orders slowly on purpose); 0 sends at once.
   */
  default long holdNanos(Ready.Outbound sent) {
    return 0;
  }

  /** What the replica tells a client instead of {@code reply} (a lying replica). */
  default Reply reply(Reply reply, RandomGenerator random) {
    return reply;
  }

  /**
   * A client's read {@code readId} asking {@code query} reached the replica (before the replica
   * answers it), so a lying replica can tell which key an answer is for.
   */
  default void readArrived(long readId, byte[] query) {}

  /** What the replica answers a client's read instead of {@code result}. */
  default QueryResult read(QueryResult result, RandomGenerator random) {
    return result;
  }
}
