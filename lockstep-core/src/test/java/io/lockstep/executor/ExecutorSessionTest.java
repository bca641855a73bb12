package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** O1 per-client FIFO and X4 exactly-once sessions. */
class ExecutorSessionTest {

  @Test
  void requestsArrivingAheadOfTheirTurnWaitForTheirPredecessors() {
    Feed feed = new Feed();
    feed.send("a", 1, "note:1", 10);
    assertThat(feed.send("a", 3, "note:3", 11)).isEmpty();
    assertThat(feed.send("a", 4, "note:4", 12)).isEmpty();
    List<Reply> released = feed.send("a", 2, "note:2", 13);

    assertThat(released).extracting(Reply::sequence).containsExactly(2L, 3L, 4L);
    assertThat(released).allMatch(r -> r.status() == Reply.Status.OK);
    assertThat(feed.machine.scripts()).containsExactly("note:1", "note:2", "note:3", "note:4");
    // A released request keeps its own identifier (the position it was ordered at).
    assertThat(released).extracting(Reply::position).containsExactly(4L, 2L, 3L);
  }

  @Test
  void retryOfTheLastRequestGetsTheCachedReplyWithoutReExecution() {
    Feed feed = new Feed();
    Reply first = feed.send("a", 1, "note:x", 10).get(0);
    int calls = feed.machine.applyCalls;
    List<Reply> retry = feed.send("a", 1, "note:x", 11);

    assertThat(retry).containsExactly(first);
    assertThat(feed.machine.applyCalls).isEqualTo(calls);
    assertThat(feed.machine.scripts()).containsExactly("note:x");
  }

  @Test
  void retriesOfPipelinedRequestsEachGetTheirOwnCachedReply() {
    Feed feed = new Feed();
    Reply one = feed.send("a", 1, "note:1", 10).get(0);
    Reply two = feed.send("a", 2, "note:2", 11).get(0);
    feed.send("a", 3, "note:3", 12);
    // A pipelining client retries all three after a leader change: each gets its own outcome.
    assertThat(feed.send("a", 1, "note:1", 13)).containsExactly(one);
    assertThat(feed.send("a", 2, "note:2", 14)).containsExactly(two);
    assertThat(feed.machine.scripts()).containsExactly("note:1", "note:2", "note:3");
  }

  @Test
  void retryOlderThanTheReplyWindowIsRejectedAsDuplicateAndNeverReExecuted() {
    ExecutorConfig config = ExecutorConfig.defaults(0);
    config = new ExecutorConfig(0, config.failureModel(), config.t(), config.maxSessions(), 2,
        config.authorizer(), config.merger(), config.replicatedClients());
    Feed feed = new Feed(config);
    feed.send("a", 1, "note:1", 10);
    feed.send("a", 2, "note:2", 11);
    Reply kept = feed.send("a", 3, "note:3", 12).get(0);
    Reply old = feed.send("a", 1, "note:1", 13).get(0);

    assertThat(old.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(old.reason()).isEqualTo(Executor.DUPLICATE);
    assertThat(feed.send("a", 3, "note:3", 14)).containsExactly(kept);
    assertThat(feed.machine.scripts()).containsExactly("note:1", "note:2", "note:3");
  }

  @Test
  void rejectedCommandUsesUpItsSequenceAndARetryGetsTheSameRefusal() {
    Feed feed = new Feed();
    Reply refused = feed.send("a", 1, "reject:no way", 10).get(0);
    assertThat(refused.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(refused.reason()).isEqualTo("no way");
    assertThat(feed.send("a", 1, "reject:no way", 11)).containsExactly(refused);
    assertThat(feed.send("a", 2, "note:next", 12).get(0).status()).isEqualTo(Reply.Status.OK);
  }

  @Test
  void firstRequestOfAnUnknownClientMustBeSequenceOne() {
    Feed feed = new Feed();
    Reply reply = feed.send("stranger", 5, "note:x", 10).get(0);
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).isEqualTo(Executor.UNKNOWN_SESSION);
    assertThat(feed.machine.applyCalls).isZero();
    assertThat(feed.executor.sessionCount()).isZero();
  }

  @Test
  void bufferOverflowIsRejectedWithAReason() {
    Feed feed = new Feed(ExecutorConfig.defaults(0).withLimits(10, 2));
    feed.send("a", 1, "note:1", 10);
    feed.send("a", 3, "note:3", 10);
    feed.send("a", 4, "note:4", 10);
    Reply overflow = feed.send("a", 5, "note:5", 10).get(0);

    assertThat(overflow.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(overflow.reason()).contains("wait for #2").contains("limit is 2");
    assertThat(feed.send("a", 2, "note:2", 11)).extracting(Reply::sequence)
        .containsExactly(2L, 3L, 4L);
  }

  @Test
  void leastRecentlyUsedSessionIsEvictedAndThenUnknown() {
    Feed feed = new Feed(ExecutorConfig.defaults(0).withLimits(2, 4));
    feed.send("a", 1, "note:a1", 10);
    feed.send("b", 1, "note:b1", 11);
    feed.send("a", 2, "note:a2", 12);
    feed.send("c", 1, "note:c1", 13);

    assertThat(feed.executor.sessionCount()).isEqualTo(2);
    Reply evicted = feed.send("b", 2, "note:b2", 14).get(0);
    assertThat(evicted.reason()).isEqualTo(Executor.UNKNOWN_SESSION);
    assertThat(feed.send("a", 3, "note:a3", 15).get(0).status()).isEqualTo(Reply.Status.OK);
  }

  @Test
  void sessionEvictionIsTheSameOnEveryReplica() {
    Feed one = new Feed(ExecutorConfig.defaults(1).withLimits(3, 4));
    Feed two = new Feed(ExecutorConfig.defaults(2).withLimits(3, 4));
    String[] clients = {"d", "a", "c", "b", "e", "a", "f", "c", "g", "b"};
    long[] seq = new long[128];
    for (int i = 0; i < clients.length; i++) {
      String c = clients[i];
      long s = ++seq[c.charAt(0)];
      one.send(c, s, "note:" + c + s, 10 + i);
      two.send(c, s, "note:" + c + s, 10 + i);
    }
    assertThat(one.executor.digest()).isEqualTo(two.executor.digest());
    assertThat(one.replies).extracting(Reply::reason)
        .isEqualTo(two.replies.stream().map(Reply::reason).toList());
  }

  @Test
  void nullRequestsAreNeverExecutedNorReplied() {
    Feed feed = new Feed();
    assertThat(feed.tick(10)).isEmpty();
    assertThat(feed.machine.applyCalls).isZero();
    assertThat(feed.executor.sessionCount()).isZero();
    assertThat(feed.executor.appliedPosition()).isEqualTo(1);
    assertThat(feed.executor.time()).isEqualTo(10);
  }

  @Test
  void positionsMustIncrease() {
    Feed feed = new Feed();
    feed.send("a", 1, "note:1", 10);
    Request r = Request.command(ClientId.of("a"), 2, "note:2".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> feed.executor.apply(new Ordered(1, 11, r)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("last applied position 1");
  }

  @Test
  void agreedTimeNeverRunsBackwards() {
    Feed feed = new Feed();
    feed.send("a", 1, "note:1", 100);
    feed.send("a", 2, "note:2", 50);
    assertThat(feed.executor.time()).isEqualTo(100);
    assertThat(feed.machine.journal.get(1)).endsWith("at 2/100");
  }
}
