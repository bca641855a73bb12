package io.lockstep.server;

import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Protocol;
import io.lockstep.order.Ready;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * <b>Test only</b>: a replica process that lies on purpose, with a behaviour its protocol defines
 * ({@link Protocol#testBehaviour}, e.g. pbft's equivocating primary or lying replies), so process
 * tests can check that the honest replicas and the voting clients outvote it. The loop passes
 * every message the protocol sends, and every reply and read answer, through it; the protocol
 * and the executor underneath run correctly, as in the simulator, which uses the same
 * behaviours. Used only by the loop thread (the behaviours keep state, e.g. messages to replay).
 */
final class TestMisbehaviour {
  /** An honest replica: everything passes unchanged. */
  static final TestMisbehaviour NONE = new TestMisbehaviour(0, null);

  private final int self;
  private final Protocol.TestBehaviour behaviour;
  /** Behaviours draw their choices from here; a process need not replay, so any seed will do. */
  private final SplittableRandom random;

  /** Replica {@code self} runs {@code behaviour}, or none if it is null. */
  TestMisbehaviour(int self, Protocol.TestBehaviour behaviour) {
    this.self = self;
    this.behaviour = behaviour;
    this.random = new SplittableRandom(31L * self + 7);
  }

  /** The behaviour's name, or null for an honest replica. */
  String name() {
    return behaviour == null ? null : behaviour.name();
  }

  /** What the replica sends in place of {@code messages}, in order. */
  List<Ready.Outbound> messages(List<Ready.Outbound> messages) {
    if (behaviour == null) {
      return messages;
    }
    MessageInterceptor interceptor = behaviour.interceptor();
    List<Ready.Outbound> out = new ArrayList<>(messages.size());
    for (Ready.Outbound message : messages) {
      out.addAll(interceptor.intercept(self, message, random));
    }
    return out;
  }

  /** What the replica tells the client instead of {@code reply}. */
  Reply reply(Reply reply) {
    return behaviour == null ? reply : behaviour.interceptor().reply(reply, random);
  }

  /** What the replica answers a read instead of {@code result}. */
  QueryResult read(QueryResult result) {
    return behaviour == null ? result : behaviour.interceptor().read(result, random);
  }

  /** The loud line an operator must not miss: at start, then every minute. */
  String warning() {
    return "event=test_behaviour_active replica=" + self + " behaviour=" + name()
        + " reason=\"TEST ONLY: this replica lies on purpose (its protocol's"
        + " test-byzantine-behaviour setting in the cluster file); never run it in production\"";
  }
}
