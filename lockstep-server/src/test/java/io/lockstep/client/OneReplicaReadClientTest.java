package io.lockstep.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.FailureModel;
import io.lockstep.replica.LocalRead;
import io.lockstep.request.Reply;
import io.lockstep.server.wire.ClientMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The fail-stop client's reads from one replica (paper §3 relaxation) against scripted replicas
 * that each have applied a fixed position: the client asks for at least the highest position it
 * has seen, moves on from a replica that is behind it, goes round again after a wait when every
 * replica is, and fails a read no retry would change at once.
 */
class OneReplicaReadClientTest {
  private static final Duration ATTEMPT = Duration.ofSeconds(2);
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  /**
   * A replica whose state has applied {@code applied} and reads {@code value}; it answers a
   * write at {@code writesAt}, as if the write were ordered and applied elsewhere first (a
   * script, not a protocol: it stands for a follower behind the leader that replied).
   */
  private static ScriptedReplicas.Script replica(long applied, String value, long writesAt) {
    return question -> {
      if (question instanceof ClientMessage.Submit s) {
        return List.of(new ClientMessage.Replied(s.tag(), new Reply(s.request().client(),
            s.request().sequence(), Reply.Status.OK, value.getBytes(), "", writesAt, 0)));
      }
      ClientMessage.ReadOneReplica r = (ClientMessage.ReadOneReplica) question;
      LocalRead read = r.minPosition() > applied
          ? new LocalRead(false, true, new byte[0], "behind " + r.minPosition(), applied)
          : new LocalRead(true, false, value.getBytes(), "", applied);
      return List.of(new ClientMessage.OneReplicaResult(r.tag(), read, 0));
    };
  }

  private static LockstepClient failStop(ScriptedReplicas replicas, Duration deadline) {
    return LockstepClient.connect(replicas.options(1, ATTEMPT, deadline)
        .withFailureModel(FailureModel.FAIL_STOP));
  }

  private static List<Long> minPositions(ScriptedReplicas replicas, int id) {
    synchronized (replicas.received.get(id)) {
      return replicas.received.get(id).stream()
          .filter(m -> m instanceof ClientMessage.ReadOneReplica)
          .map(m -> ((ClientMessage.ReadOneReplica) m).minPosition()).toList();
    }
  }

  @Test
  void aReadAsksForTheClientsOwnWritePositionAndMovesOnFromAReplicaBehindIt() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(
        1, replica(5, "stale", 10), 2, replica(12, "fresh", 12)));
        LockstepClient client = failStop(replicas, DEADLINE)) {
      OneReplicaAnswer first = client.readOneReplica(new byte[0]).join();
      assertThat(new String(first.value())).as("nothing written yet: the first replica answers")
          .isEqualTo("stale");
      assertThat(first.position()).isEqualTo(5);
      client.submit("w".getBytes()).join(); // replied at position 10

      OneReplicaAnswer mine = client.readOneReplica(new byte[0]).join();
      assertThat(new String(mine.value())).as("replica 1 is behind the write").isEqualTo("fresh");
      assertThat(mine.position()).isEqualTo(12);
      assertThat(minPositions(replicas, 1)).containsExactly(0L, 10L);

      client.readOneReplica(new byte[0]).join();
      assertThat(minPositions(replicas, 2)).as("the next read stays with the replica that"
          + " answered and asks for what the client has seen since").containsExactly(10L, 12L);
    }
  }

  @Test
  void whenEveryReplicaIsBehindTheReadGoesRoundAgainUntilItsDeadlineThenFailsUnavailable()
      throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(
        1, replica(5, "a", 10), 2, replica(6, "b", 10)));
        LockstepClient client = failStop(replicas, Duration.ofSeconds(3))) {
      client.submit("w".getBytes()).join();
      assertThatThrownBy(() -> client.readOneReplica(new byte[0]).join())
          .hasCauseInstanceOf(UnavailableException.class)
          .hasMessageContaining("at position 10 or later").hasMessageContaining("behind 10");
      assertThat(minPositions(replicas, 1)).as("asked again after waits").hasSizeGreaterThan(2)
          .containsOnly(10L);
      assertThat(minPositions(replicas, 2)).hasSizeGreaterThan(2).containsOnly(10L);
    }
  }

  @Test
  void closingTheClientEndsAReadWaitingToGoRoundAgain() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(
        1, replica(5, "a", 10), 2, replica(6, "b", 10)))) {
      java.util.concurrent.CompletableFuture<OneReplicaAnswer> read;
      try (LockstepClient client = failStop(replicas, Duration.ofSeconds(30))) {
        client.submit("w".getBytes()).join();
        read = client.readOneReplica(new byte[0]);
        while (minPositions(replicas, 2).isEmpty()) {
          Thread.sleep(5); // both asked: the read now waits between rounds
        }
      }
      assertThatThrownBy(() -> read.get(2, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void aRefusalNoOtherReplicaWouldChangeFailsTheReadAtOnce() throws Exception {
    ScriptedReplicas.Script refusing = q -> List.of(new ClientMessage.OneReplicaResult(q.tag(),
        new LocalRead(false, false, new byte[0], "bad query", 3), 0));
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(
        1, refusing, 2, replica(12, "fresh", 12)));
        LockstepClient client = failStop(replicas, DEADLINE)) {
      assertThatThrownBy(() -> client.readOneReplica(new byte[0]).join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(RejectedException.class).hasMessageContaining("bad query");
      assertThat(minPositions(replicas, 2)).as("not tried elsewhere").isEmpty();
    }
  }

  @Test
  void theOptionSendsQueriesToOneReplicaAndTheDefaultStaysLinearizable() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(
        1, replica(5, "stale", 5), 2, replica(5, "stale", 5)));
        LockstepClient client = LockstepClient.connect(replicas.options(1, ATTEMPT, DEADLINE)
            .withFailureModel(FailureModel.FAIL_STOP).withOneReplicaReads(true))) {
      assertThat(new String(client.query(new byte[0]).join())).isEqualTo("stale");
      assertThat(minPositions(replicas, 1)).containsExactly(0L);
      assertThat(replicas.options(1, ATTEMPT, DEADLINE).withFailureModel(FailureModel.FAIL_STOP)
          .oneReplicaReads()).as("off unless asked for").isFalse();
    }
  }

  @Test
  void aByzantineClientRefusesOneReplicaReadsWithoutAskingAnyReplica() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, replica(5, "x", 5),
        2, replica(5, "x", 5), 3, replica(5, "x", 5), 4, replica(5, "x", 5)));
        LockstepClient client = LockstepClient.connect(replicas.options(1, ATTEMPT, DEADLINE))) {
      assertThatThrownBy(() -> client.readOneReplica(new byte[0]).join())
          .hasCauseInstanceOf(RejectedException.class)
          .hasMessageContaining("need the fail-stop model")
          .hasMessageContaining("one replica's answer could be a lie");
      assertThatThrownBy(() -> replicas.options(1, ATTEMPT, DEADLINE).withOneReplicaReads(true))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fail-stop");
      for (int id = 1; id <= 4; id++) {
        assertThat(minPositions(replicas, id)).isEmpty();
      }
    }
  }
}
