package io.lockstep.client;

import static io.lockstep.client.ScriptedReplicas.answer;
import static io.lockstep.client.ScriptedReplicas.answering;
import static io.lockstep.client.ScriptedReplicas.silent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.server.wire.ClientMessage;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Byzantine-mode client against 3t+1 scripted replicas, t = 1 (paper §4, S13): it accepts a
 * write's output only with 2t+1 identical replies from distinct replicas — distinct by the key
 * each connection proved, not by what a reply says — and a read only with 2t+1 matching
 * answers, else it orders the read; t silent replicas never stall it.
 */
class VotingClientTest {
  private static final Duration ATTEMPT = Duration.ofMillis(300);
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  private static String write(ScriptedReplicas replicas) {
    try (LockstepClient client = LockstepClient.connect(replicas.options(1, ATTEMPT, DEADLINE))) {
      return new String(client.submitBlocking("w".getBytes()));
    }
  }

  @Test
  void aWriteTakesTheOutputThreeReplicasAgreeOnNotALiarsAndEveryReplicaIsAsked() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, answering("good", 1),
        2, answering("good", 2), 3, answering("good", 3), 4, answering("evil", 4)));
        LockstepClient client = LockstepClient.connect(replicas.options(1, ATTEMPT, DEADLINE))) {
      assertThat(new String(client.submitBlocking("w".getBytes()))).isEqualTo("good");
      // The decision needs three; the others were sent the request too (maybe still in
      // their handshake when it was decided).
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (replicas.received.values().stream().anyMatch(List::isEmpty)
          && System.nanoTime() < deadline) {
        sleep(10);
      }
      for (int id = 1; id <= 4; id++) {
        assertThat(replicas.received.get(id)).as("replica " + id + " was asked")
            .anyMatch(m -> m instanceof ClientMessage.Submit);
      }
    }
  }

  @Test
  void aLiarClaimingOtherReplicasIdsInItsRepliesStillCastsOneVote() throws Exception {
    CountDownLatch liarDone = new CountDownLatch(1);
    // Replica 4 answers first, three times, each reply naming another replica; replica 2's
    // honest answer only comes after that. Counted by body, "evil" would win at once.
    ScriptedReplicas.Script liar = q -> {
      List<ClientMessage> lies = List.of(answer(q, "evil", 1), answer(q, "evil", 2),
          answer(q, "evil", 3));
      liarDone.countDown();
      return lies;
    };
    ScriptedReplicas.Script late = q -> {
      await(liarDone);
      sleep(200);
      return List.of(answer(q, "good", 2));
    };
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, answering("good", 1),
        2, late, 3, answering("good", 3), 4, liar))) {
      assertThat(write(replicas)).isEqualTo("good");
    }
  }

  @Test
  void repeatedRepliesFromOneReplicaCountOnce() throws Exception {
    ScriptedReplicas.Script repeater = q -> Collections.nCopies(5, answer(q, "evil", 4));
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, silent(), 2, silent(),
        3, answering("good", 3), 4, repeater))) {
      // Only one honest replica answers: "evil" (one replica, five copies) must not be decided.
      assertThatThrownBy(() -> {
        try (LockstepClient client = LockstepClient.connect(
            replicas.options(1, ATTEMPT, Duration.ofSeconds(2)))) {
          client.submitBlocking("w".getBytes());
        }
      }).isInstanceOf(IndeterminateException.class).hasMessageContaining("3 matching answers");
    }
  }

  @Test
  void tSilentReplicasDoNotStallAWrite() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, answering("good", 1),
        2, silent(), 3, answering("good", 3), 4, answering("good", 4)))) {
      // Decided before the first resend (one attempt time-out) and without one: the three that
      // answered were enough, nothing waited for the silent replica.
      Duration attempt = Duration.ofSeconds(5);
      try (LockstepClient client = LockstepClient.connect(
          replicas.options(1, attempt, Duration.ofSeconds(20)))) {
        long start = System.nanoTime();
        assertThat(new String(client.submitBlocking("w".getBytes()))).isEqualTo("good");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(attempt);
        assertThat(client.retries()).isZero();
      }
    }
  }

  /**
   * 2t+1 replicas (the paper's Byzantine replica-uid scheme): a write is decided by the paper's
   * t+1 identical replies, so one silent replica does not stall it; a liar alone decides
   * nothing; and every read is ordered, never decided by answers at applied states.
   */
  @Test
  void withTwoTPlusOneReplicasTPlusOneRepliesDecideAWriteAndEveryReadIsOrdered()
      throws Exception {
    ScriptedReplicas.Script honest = q -> List.of(answer(q,
        q instanceof ClientMessage.Submit ? "ordered" : "at-applied-state", 1));
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, honest,
        2, answering("ordered", 2), 3, silent()));
        LockstepClient client = LockstepClient.connect(replicas.options(1, ATTEMPT, DEADLINE))) {
      assertThat(new String(client.submitBlocking("w".getBytes()))).isEqualTo("ordered");
      assertThat(new String(client.queryBlocking("get".getBytes()))).isEqualTo("ordered");
      replicas.received.values().forEach(log ->
          assertThat(log).noneMatch(m -> m instanceof ClientMessage.Read));
    }
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, answering("good", 1),
        2, silent(), 3, answering("evil", 3)));
        LockstepClient client = LockstepClient.connect(
            replicas.options(1, ATTEMPT, Duration.ofSeconds(2)))) {
      assertThatThrownBy(() -> client.submitBlocking("w".getBytes()))
          .isInstanceOf(IndeterminateException.class).hasMessageContaining("2 matching answers");
    }
  }

  @Test
  void aReadWithTwoTPlusOneMatchingAnswersIsNotOrdered() throws Exception {
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, answering("v1", 1),
        2, answering("v1", 2), 3, answering("v1", 3), 4, answering("evil", 4)));
        LockstepClient client = LockstepClient.connect(
            replicas.options(1, Duration.ofSeconds(2), DEADLINE))) {
      assertThat(new String(client.queryBlocking("get".getBytes()))).isEqualTo("v1");
      replicas.received.values().forEach(log ->
          assertThat(log).noneMatch(m -> m instanceof ClientMessage.Submit));
    }
  }

  @Test
  void aReadWithoutTwoTPlusOneMatchingAnswersIsOrderedAndVotedLikeAWrite() throws Exception {
    // Reads: two say v1, one (behind) v0, the liar evil — no 2t+1. Ordered: v2 from three.
    ScriptedReplicas.Script honest = q -> List.of(answer(q,
        q instanceof ClientMessage.Submit ? "v2" : "v1", 1));
    ScriptedReplicas.Script behind = q -> List.of(answer(q,
        q instanceof ClientMessage.Submit ? "v2" : "v0", 3));
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, honest, 2, honest,
        3, behind, 4, answering("evil", 4)));
        LockstepClient client = LockstepClient.connect(replicas.options(1, ATTEMPT, DEADLINE))) {
      assertThat(new String(client.queryBlocking("get".getBytes()))).isEqualTo("v2");
      assertThat(replicas.received.get(1)).anyMatch(m -> m instanceof ClientMessage.Submit s
          && new String(s.request().command()).equals("get"));
    }
  }

  @Test
  void aReadThatReplicasOnlyServeThroughTheOrderIsOrderedAtOnceNotAtTheDeadline()
      throws Exception {
    // A PBFT replica whose replica set can change redirects every unordered read; a client that
    // kept asking would wait until its deadline and then fail.
    ScriptedReplicas.Script ordersReads = q -> List.of(q instanceof ClientMessage.Submit
        ? answer(q, "v2", 1) : new ClientMessage.Redirect(q.tag(), -1, "",
            "reads are ordered in a PBFT cluster whose replica set can change"));
    try (ScriptedReplicas replicas = new ScriptedReplicas(Map.of(1, ordersReads,
        2, ordersReads, 3, ordersReads, 4, ordersReads));
        LockstepClient client = LockstepClient.connect(
            replicas.options(1, Duration.ofSeconds(3), Duration.ofSeconds(10)))) {
      long start = System.nanoTime();
      assertThat(new String(client.queryBlocking("get".getBytes()))).isEqualTo("v2");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("ordered once the redirects came, not after a resend")
          .isLessThan(Duration.ofSeconds(3));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
