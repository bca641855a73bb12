package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Recovered;
import io.lockstep.order.raft.wire.RaftCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RaftProtocolTest {
  private static final List<Integer> THREE = List.of(1, 2, 3);

  private static ProtocolSetup setup(FailureModel model, int t, Map<String, String> settings) {
    return new ProtocolSetup(1, THREE, model, t, settings);
  }

  @Test
  void raftIsRegisteredUnderItsName() {
    assertThat(Protocols.named("raft")).isInstanceOf(RaftProtocol.class);
    assertThat(Protocols.named("raft").codec()).isSameAs(RaftCodec.INSTANCE);
  }

  @Test
  void settingsReachTheRaftConfiguration() {
    Coordination raft = new RaftProtocol().create(setup(FailureModel.FAIL_STOP, 1,
        Map.of("election-timeout-ms", "900", "heartbeat-ms", "90",
            "parallel-leader-append", "false", "max-uncommitted-bytes", "1000")), Recovered.EMPTY,
        1);
    RaftConfig config = ((Raft) raft).config();
    assertThat(config.electionTimeoutMillis()).isEqualTo(900);
    assertThat(config.heartbeatMillis()).isEqualTo(90);
    assertThat(config.parallelLeaderAppend()).isFalse();
    assertThat(config.compactionMargin()).isEqualTo(10_000);
    assertThat(config.maxUncommittedBytes()).isEqualTo(1_000);
    assertThat(config.compactionMarginBytes()).isEqualTo(16L << 20);
  }

  @Test
  void raftRefusesByzantineFaultsAndTooFewReplicas() {
    assertThat(new RaftProtocol().check(setup(FailureModel.BYZANTINE, 1, Map.of())))
        .containsExactly("failure model byzantine is not supported by raft, which tolerates"
            + " crashes (fail-stop) only");
    assertThat(new RaftProtocol().check(setup(FailureModel.FAIL_STOP, 2, Map.of())))
        .containsExactly("fail-stop raft with t=2 needs at least 5 replicas (2t+1: a majority"
            + " must survive t crashes), but 3 are configured");
  }

  @Test
  void badSettingsAreAllListed() {
    assertThat(new RaftProtocol().check(setup(FailureModel.FAIL_STOP, 1,
        Map.of("election-timeout-ms", "soon", "colour", "blue", "max-batch-entries", "0"))))
        .containsExactlyInAnyOrder(
            "unknown setting raft.colour; raft's settings are raft.compaction-margin,"
                + " raft.compaction-margin-bytes, raft.election-timeout-ms, raft.heartbeat-ms,"
                + " raft.log-cache-bytes, raft.max-batch-entries, raft.max-inflight-appends, raft.max-log-bytes,"
                + " raft.max-uncommitted-bytes, raft.parallel-leader-append",
            "raft.election-timeout-ms must be a whole number in [1, 600000], was 'soon'",
            "raft.max-batch-entries must be a whole number in [1, 65536], was '0'");
  }

  @Test
  void aLogBudgetTheOtherBudgetsWouldFillIsAProblemNotACrash() {
    assertThat(new RaftProtocol().check(setup(FailureModel.FAIL_STOP, 1,
        Map.of("max-log-bytes", "1000", "max-uncommitted-bytes", "400",
            "compaction-margin-bytes", "200"))))
        .containsExactly("raft.compaction-margin-bytes + raft.max-uncommitted-bytes (600) must"
            + " stay below half of raft.max-log-bytes (1000): the log asks for a snapshot at"
            + " half its budget, and a snapshot removes neither");
  }

  @Test
  void aLogCacheBelowItsFloorIsAProblemWithTheFloorNamed() {
    assertThat(new RaftProtocol().check(setup(FailureModel.FAIL_STOP, 1,
        Map.of("log-cache-bytes", "4096"))))
        .containsExactly("raft.log-cache-bytes must be a whole number in [65536, "
            + Long.MAX_VALUE + "], was '4096'");
    assertThat(new RaftProtocol().check(setup(FailureModel.FAIL_STOP, 1,
        Map.of("log-cache-bytes", "65536")))).isEmpty();
  }

  @Test
  void createRefusesWhatCheckRefuses() {
    assertThatThrownBy(() -> new RaftProtocol().create(setup(FailureModel.FAIL_STOP, 1,
        Map.of("heartbeat-ms", "300")), Recovered.EMPTY, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("raft.heartbeat-ms (300) must be below");
  }

  @Test
  void answersMayLeaveBeforeTheLocalFsyncUnlessALoneReplicaCountsItsOwnUnsyncedCopy() {
    assertThat(new Raft(RaftConfig.defaults(1, THREE), Recovered.EMPTY, 1)
        .mayAnswerBeforeDurable()).isTrue();
    assertThat(new Raft(RaftConfig.defaults(1, List.of(1)).withParallelLeaderAppend(true),
        Recovered.EMPTY, 1).mayAnswerBeforeDurable()).isTrue();
    assertThat(new Raft(RaftConfig.defaults(1, List.of(1)), Recovered.EMPTY, 1)
        .mayAnswerBeforeDurable()).isFalse();
  }
}
