package io.lockstep.executor;

import static io.lockstep.executor.SensorCopies.copy;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Paper §5.1 (S16): copies of one logical request from client replicas run the command once. */
class ReplicatedClientTest {
  private static final ClientId SENSOR = ClientId.of("sensor");

  private static Feed feed(FailureModel model, int t, int replicas) {
    return new Feed(ExecutorConfig.defaults(0).withFailureModel(model, t)
        .withReplicatedClients(Map.of(SENSOR, replicas), Merge.median()));
  }

  @Test
  void failStopRunsTheFirstCopyAndAnswersLaterCopiesFromTheCache() {
    Feed feed = feed(FailureModel.FAIL_STOP, 1, 2);
    List<Reply> first = feed.apply(copy("sensor", 1, "s1", "17"), 0);
    List<Reply> second = feed.apply(copy("sensor", 1, "s2", "17"), 1);
    assertThat(first).hasSize(1);
    assertThat(second).containsExactlyElementsOf(first);
    assertThat(feed.machine.scripts()).containsExactly("17");
  }

  @Test
  void byzantineRunsOnceTPlusOneIdenticalCopiesArrived() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    assertThat(feed.apply(copy("sensor", 1, "s1", "17"), 0)).isEmpty();
    assertThat(feed.machine.applyCalls).isZero();
    List<Reply> decided = feed.apply(copy("sensor", 1, "s2", "17"), 1);
    assertThat(decided).hasSize(1);
    assertThat(feed.machine.scripts()).containsExactly("17");
    assertThat(feed.apply(copy("sensor", 1, "s3", "99"), 2)).containsExactlyElementsOf(decided);
    assertThat(feed.machine.applyCalls).isEqualTo(1);
  }

  @Test
  void aRepeatFromOneClientReplicaCountsOnce() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    feed.apply(copy("sensor", 1, "s1", "17"), 0);
    assertThat(feed.apply(copy("sensor", 1, "s1", "17"), 1)).isEmpty();
    assertThat(feed.machine.applyCalls).isZero();
    assertThat(feed.apply(copy("sensor", 1, "s2", "17"), 2)).hasSize(1);
  }

  @Test
  void divergentCopiesAreMergedOnceAllArrived() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    feed.apply(copy("sensor", 1, "s3", "1000"), 0);
    feed.apply(copy("sensor", 1, "s1", "20"), 1);
    List<Reply> merged = feed.apply(copy("sensor", 1, "s2", "21"), 2);
    assertThat(merged).hasSize(1);
    assertThat(new String(merged.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("21");
  }

  @Test
  void aSilentClientReplicaDoesNotStallMergingWhenThereAreThreeTPlusOne() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 4);
    assertThat(feed.apply(copy("sensor", 1, "s3", "1000"), 0)).isEmpty();
    assertThat(feed.apply(copy("sensor", 1, "s1", "20"), 1)).isEmpty();
    // Three of four copies, no two identical, the fourth never comes: merged now (median).
    List<Reply> merged = feed.apply(copy("sensor", 1, "s2", "21"), 2);
    assertThat(merged).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("21");
  }

  @Test
  void mergingWaitsForAtLeastTwoTPlusOneCopies() {
    assertThat(ReplicatedInputs.mergeQuorum(4, 1)).isEqualTo(3);
    assertThat(ReplicatedInputs.mergeQuorum(3, 1)).isEqualTo(3);
    assertThat(ReplicatedInputs.mergeQuorum(7, 2)).isEqualTo(5);
    assertThat(ReplicatedInputs.mergeQuorum(5, 2)).isEqualTo(5);
    assertThat(ReplicatedInputs.mergeQuorum(10, 1)).isEqualTo(9);
  }

  @Test
  void copiesFromUnknownSendersCountAsDistinctSenders() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    feed.apply(copy("sensor", 1, "anything", "5"), 0);
    assertThat(feed.apply(copy("sensor", 1, "else", "5"), 1)).hasSize(1);
  }

  @Test
  void copiesWithoutASenderAreRejected() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    Reply reply = feed.send("sensor", 1, "5", 0).get(0);
    assertThat(reply.reason()).contains("must name the client replica");
  }

  @Test
  void logicalRequestsKeepFifoOrderAfterMatching() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    feed.apply(copy("sensor", 1, "s1", "one"), 0);
    feed.apply(copy("sensor", 1, "s2", "one"), 1);
    feed.apply(copy("sensor", 3, "s1", "three"), 2);
    feed.apply(copy("sensor", 2, "s1", "two"), 3);
    assertThat(feed.apply(copy("sensor", 3, "s2", "three"), 4)).isEmpty();
    assertThat(feed.machine.scripts()).containsExactly("one");
    List<Reply> both = feed.apply(copy("sensor", 2, "s2", "two"), 5);
    assertThat(both).extracting(Reply::sequence).containsExactly(2L, 3L);
    assertThat(feed.machine.scripts()).containsExactly("one", "two", "three");
    assertThat(feed.apply(copy("sensor", 3, "s3", "three"), 6)).containsExactly(both.get(1));
  }

  @Test
  void aNewReplicatedClientMustStartAtSequenceOne() {
    Feed feed = feed(FailureModel.BYZANTINE, 1, 3);
    Reply reply = feed.apply(copy("sensor", 2, "s1", "two"), 0).get(0);
    assertThat(reply.reason()).isEqualTo(Executor.UNKNOWN_SESSION);
  }

  @Test
  void mergeFailureIsARefusalOfTheLogicalRequest() {
    Feed feed = new Feed(ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE, 1)
        .withReplicatedClients(Map.of(SENSOR, 3), Merge.intervalIntersection()));
    feed.apply(copy("sensor", 1, "s1", "garbage"), 0);
    feed.apply(copy("sensor", 1, "s2", "junk"), 1);
    Reply reply = feed.apply(copy("sensor", 1, "s3", "nonsense"), 2).get(0);
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).contains("well-formed interval");
    assertThat(feed.machine.applyCalls).isZero();
  }

  @Test
  void copiesFarAheadOfTheSessionAreRefused() {
    Feed feed = new Feed(ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE, 1)
        .withLimits(10, 2).withReplicatedClients(Map.of(SENSOR, 3), Merge.median()));
    feed.apply(copy("sensor", 1, "s1", "1"), 0);
    feed.apply(copy("sensor", 1, "s2", "1"), 1);
    assertThat(feed.apply(copy("sensor", 3, "s1", "3"), 2)).isEmpty();
    Reply reply = feed.apply(copy("sensor", 4, "s1", "4"), 3).get(0);
    assertThat(reply.reason()).contains("too far ahead of #1");
  }

  @Test
  void anEvictedClientsPendingCopiesAreForgotten() {
    Feed feed = new Feed(ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE, 1)
        .withLimits(1, 4).withReplicatedClients(Map.of(SENSOR, 3), Merge.median()));
    feed.apply(copy("sensor", 1, "s1", "1"), 0);
    feed.apply(copy("sensor", 1, "s2", "1"), 1);
    feed.apply(copy("sensor", 2, "s1", "stale"), 2);
    feed.send("other", 1, "note:evicts the sensor", 3);
    feed.apply(copy("sensor", 1, "s1", "again"), 4);
    feed.apply(copy("sensor", 1, "s2", "again"), 5);
    assertThat(feed.executor.sessionCount()).isEqualTo(1);
    feed.apply(copy("sensor", 2, "s1", "fresh"), 7);
    List<Reply> decided = feed.apply(copy("sensor", 2, "s2", "fresh"), 8);
    assertThat(decided).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("fresh");
    assertThat(feed.machine.scripts()).containsExactly("1", "note:evicts the sensor", "again",
        "fresh");
  }
}
