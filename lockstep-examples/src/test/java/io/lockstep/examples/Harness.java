package io.lockstep.examples;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a state machine through a real {@link Executor}, as a replica would: requests get
 * increasing positions and agreed times, each client its own sequence numbers.
 */
public final class Harness {
  public final Executor executor;
  private final Map<ClientId, Long> sequences = new HashMap<>();
  private long position;

  public Harness(StateMachine machine) {
    this.executor = new Executor(machine, ExecutorConfig.defaults(0));
  }

  /** Sends the client's next request at agreed time {@code time}; returns its reply. */
  public Reply send(String client, byte[] command, long time) {
    ClientId id = ClientId.of(client);
    long sequence = sequences.merge(id, 1L, Long::sum);
    List<Reply> replies = executor.apply(
        new Ordered(++position, time, Request.command(id, sequence, command)));
    if (replies.size() != 1) {
      throw new AssertionError("expected one reply, got " + replies);
    }
    return replies.get(0);
  }

  /** Orders a null request at {@code time}, firing whatever is due. */
  public void tick(long time) {
    List<Reply> replies = executor.apply(
        new Ordered(++position, time, Request.nullRequest(ClientId.of("clock"), 1)));
    if (!replies.isEmpty()) {
      throw new AssertionError("a null request produced replies " + replies);
    }
  }

  /** The output of an OK reply; fails on a rejected one. */
  public static byte[] ok(Reply reply) {
    if (reply.status() != Reply.Status.OK) {
      throw new AssertionError("rejected: " + reply.reason());
    }
    return reply.value();
  }
}
