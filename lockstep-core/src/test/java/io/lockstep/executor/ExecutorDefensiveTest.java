package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.Authorizer;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Paper §5.2 defensive programming (S17): refusals are explicit and change nothing. */
class ExecutorDefensiveTest {
  private static final Authorizer NO_MALLORY = (client, command) ->
      client.value().equals("mallory") ? Optional.of("mallory may not write") : Optional.empty();

  @Test
  void authorizerRefusalChangesNothing() {
    Feed refused = new Feed(ExecutorConfig.defaults(0).withAuthorizer(NO_MALLORY));
    Feed control = new Feed(ExecutorConfig.defaults(0).withAuthorizer(NO_MALLORY));
    for (Feed f : new Feed[] {refused, control}) {
      f.send("alice", 1, "schedule:50:note:t", 0);
    }
    Reply reply = refused.send("mallory", 1, "note:evil", 10).get(0);
    control.tick(10);

    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).isEqualTo("mallory may not write");
    assertThat(refused.machine.scripts()).doesNotContain("note:evil");
    assertThat(refused.executor.sessionCount()).isEqualTo(1);
    // Identical to a replica that saw only a null request at that position.
    assertThat(refused.executor.digest()).isEqualTo(control.executor.digest());
  }

  @Test
  void authorizerRunsBeforeTheCommandEvenForAKnownClient() {
    Authorizer noDelete = (client, command) ->
        new String(command, StandardCharsets.UTF_8).startsWith("fail")
            ? Optional.of("failing is forbidden") : Optional.empty();
    Feed feed = new Feed(ExecutorConfig.defaults(0).withAuthorizer(noDelete));
    feed.send("a", 1, "note:1", 0);
    int calls = feed.machine.applyCalls;
    Reply reply = feed.send("a", 2, "fail", 1).get(0);
    assertThat(reply.reason()).isEqualTo("failing is forbidden");
    assertThat(feed.machine.applyCalls).isEqualTo(calls);
  }

  @Test
  void rejectionBecomesARejectedReplyWithItsMessage() {
    Feed feed = new Feed();
    Reply reply = feed.send("a", 1, "reject:bad key", 0).get(0);
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).isEqualTo("bad key");
    assertThat(reply.value()).isEmpty();
  }

  @Test
  void anyOtherExceptionIsReportedAsCommandFailedIdenticallyOnEveryReplica() {
    Feed one = new Feed(ExecutorConfig.defaults(1));
    Feed two = new Feed(ExecutorConfig.defaults(2));
    Reply a = one.send("a", 1, "fail", 0).get(0);
    Reply b = two.send("a", 1, "fail", 0).get(0);
    assertThat(a.reason()).isEqualTo(Executor.COMMAND_FAILED);
    assertThat(a.sameOutput(b)).isTrue();
    assertThat(one.executor.digest()).isEqualTo(two.executor.digest());
  }

  @Test
  void copyFromOnAnOrdinaryClientIsRejected() {
    Feed feed = new Feed();
    Reply reply = feed.apply(SensorCopies.copy("a", 1, "r1", "note:x"), 0).get(0);
    assertThat(reply.reason()).contains("not a replicated client");
    assertThat(feed.machine.applyCalls).isZero();
  }

  @Test
  void queryPassesRejectionThroughAndConsultsTheAuthorizer() {
    Feed feed = new Feed(ExecutorConfig.defaults(0).withAuthorizer(NO_MALLORY));
    feed.send("a", 1, "note:1", 0);
    assertThat(new String(feed.executor.query(ClientId.of("a"), new byte[] {1}),
        StandardCharsets.UTF_8)).isEqualTo("1");
    assertThatThrownBy(() -> feed.executor.query(ClientId.of("a"), new byte[0]))
        .isInstanceOf(Rejection.class).hasMessage("empty query");
    assertThatThrownBy(() -> feed.executor.query(ClientId.of("mallory"), new byte[] {1}))
        .isInstanceOf(Rejection.class).hasMessage("mallory may not write");
  }

  @Test
  void configurationIsValidatedWithClearMessages() {
    ExecutorConfig d = ExecutorConfig.defaults(0);
    assertThatThrownBy(() -> d.withLimits(0, 1)).hasMessageContaining("maxSessions");
    assertThatThrownBy(() -> d.withLimits(1, 0)).hasMessageContaining("maxPendingPerClient");
    assertThatThrownBy(() -> d.withFailureModel(io.lockstep.order.FailureModel.FAIL_STOP, -1))
        .hasMessageContaining("t must not be negative");
    assertThatThrownBy(() -> d.withFailureModel(io.lockstep.order.FailureModel.BYZANTINE, 1)
        .withReplicatedClients(java.util.Map.of(ClientId.of("s"), 2), Merge.median()))
        .hasMessageContaining("needs at least 3");
    assertThatThrownBy(() -> ExecutorConfig.defaults(-1)).hasMessageContaining("replica id");
  }

  @Test
  void scheduleValidatesItsArguments() {
    Feed feed = new Feed();
    Reply reply = feed.send("a", 1, "schedule:-5:note:x", 0).get(0);
    assertThat(reply.reason()).contains("delay must not be negative");
    assertThat(feed.executor.scheduledCount()).isZero();
    Request huge = Request.command(ClientId.of("a"), 2, new byte[Request.MAX_COMMAND_BYTES]);
    assertThat(feed.apply(huge, 1).get(0).status()).isEqualTo(Reply.Status.OK);
  }
}
