package io.lockstep.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.FailureModel;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {
  private static final String HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @Test
  void theSampleFileIsValid() throws Exception {
    Properties p = new Properties();
    try (InputStream in = getClass().getResourceAsStream("/sample-cluster.properties")) {
      p.load(in);
    }
    ClusterConfig config = ClusterConfig.parse(p, "sample", Path.of("/tmp"));
    assertThat(config.members()).containsExactly(1, 2, 3);
    assertThat(config.failureModel()).isEqualTo(FailureModel.FAIL_STOP);
    assertThat(config.service()).isEqualTo(Service.KV);
    assertThat(config.secret()).hasSize(32);
  }

  @Test
  void anInvalidFileListsEveryProblemAtOnce() {
    String text = """
        cluster.name=bad name!
        cluster.t=1
        cluster.service=queue
        cluster.secret=abcd
        raft.election-timeout-ms=50
        raft.heartbeat-ms=100
        replica.1.peer=127.0.0.1:7101
        replica.1.client=127.0.0.1:7201
        replica.1.redis=127.0.0.1:7001
        replica.1.metrics=127.0.0.1:7101
        replica.2.peer=127.0.0.1:notaport
        raft.parallel-leader-append=yes
        colour=blue
        """;
    assertThatThrownBy(() -> parse(text))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(s -> s.startsWith("cluster.name"))
            .anyMatch(s -> s.startsWith("cluster.service 'queue'"))
            .anyMatch(s -> s.startsWith("cluster.secret must be"))
            .anyMatch(s -> s.contains("cluster.data-dir is required"))
            .anyMatch(s -> s.contains("raft.heartbeat-ms (100) must be below"))
            .anyMatch(s -> s.contains("replica.1.metrics uses 127.0.0.1:7101 like replica.1.peer"))
            .anyMatch(s -> s.contains("replica.2.peer '127.0.0.1:notaport'"))
            .anyMatch(s -> s.equals("unknown key 'colour'"))
            .anyMatch(s -> s.equals("raft.parallel-leader-append must be true or false, was 'yes'"))
            .anyMatch(s -> s.contains("needs at least 3 replicas (2t+1")))
        .hasMessageContaining("problems");
  }

  @Test
  void byzantineIsRefusedByRaft() {
    String text = valid().replace("cluster.failure-model=fail-stop",
        "cluster.failure-model=byzantine");
    assertThatThrownBy(() -> parse(text)).hasMessageContaining(
        "failure model byzantine is not supported by raft, which tolerates crashes (fail-stop)"
            + " only");
  }

  @Test
  void failStopRaftNeedsTwoTPlusOneReplicas() {
    String text = valid().replace("cluster.t=1", "cluster.t=2");
    assertThatThrownBy(() -> parse(text)).hasMessageContaining(
        "fail-stop raft with t=2 needs at least 5 replicas (2t+1: a majority must survive t"
            + " crashes), but 3 are configured");
  }

  @Test
  void toPropertiesParsesBackToTheSameCluster() throws Exception {
    ClusterConfig local = ClusterConfig.local("demo", 5, 7000, Path.of("/var/lib/ls"),
        Service.LOCK, new byte[32]);
    ClusterConfig back = ClusterConfig.parse(local.toProperties(), "round trip", Path.of("/"));
    assertThat(back.toProperties()).isEqualTo(local.toProperties());
    assertThat(back.t()).isEqualTo(2);
    assertThat(back.replica(3).orElseThrow().redis().getPort()).isEqualTo(7003);
  }

  @Test
  void protocolSettingsAreTheKeysUnderTheProtocolsName() throws Exception {
    assertThat(parse(valid()).protocolSettings()).isEmpty();
    assertThat(parse(valid() + "raft.parallel-leader-append=false\n").protocolSettings())
        .containsExactly(java.util.Map.entry("parallel-leader-append", "false"));
  }

  @Test
  void theProtocolChecksItsOwnSettings() {
    assertThatThrownBy(() -> parse(valid() + "raft.parallel-leader-append=maybe\n"
        + "raft.election-timout-ms=300\n"))
        .hasMessageContaining("unknown setting raft.election-timout-ms")
        .hasMessageNotContaining("unknown key");
    assertThatThrownBy(() -> parse(valid() + "raft.parallel-leader-append=maybe\n"))
        .hasMessageContaining("raft.parallel-leader-append must be true or false, was 'maybe'");
    assertThatThrownBy(() -> parse(valid() + "raft.heartbeat-ms=400\n"))
        .hasMessageContaining("raft.heartbeat-ms (400) must be below raft.election-timeout-ms");
  }

  @Test
  void anUnregisteredProtocolIsRefusedNamingTheRegisteredOnes() {
    assertThatThrownBy(() -> parse(valid().replace("cluster.protocol=raft", "")
        + "cluster.protocol=paxos\n"))
        .hasMessageContaining("cluster.protocol 'paxos' is not available; registered protocols:")
        .hasMessageContaining("raft");
  }

  @Test
  void byteBudgetsHaveDefaultsParseAndAreRefusedWhenTooSmall() throws Exception {
    assertThat(parse(valid()).budgets()).isEqualTo(ClientBudgets.DEFAULTS);
    ClusterConfig config = parse(valid() + "runtime.loop-queue-bytes=1000000\n"
        + "runtime.client-connection-bytes=2000000\nredis.connection-bytes=3000000\n"
        + "redis.total-bytes=4000000\nredis.reply-buffer-bytes=5000000\n");
    assertThat(config.budgets()).isEqualTo(
        new ClientBudgets(1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000));
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/")).budgets())
        .isEqualTo(config.budgets());
    assertThat(parse(valid() + "runtime.peer-queue-bytes=5000\n").budgets()
        .peerQueueBytes(1L << 30)).as("set: the heap does not matter").isEqualTo(5_000);
    ClusterConfig fromHeap = parse(valid());
    assertThat(fromHeap.budgets().peerQueueBytes(1L << 30)).as("1 GiB heap").isEqualTo(64L << 20);
    assertThat(fromHeap.budgets().peerQueueBytes(76L << 20)).as("76 MiB heap")
        .isEqualTo((76L << 20) / 16);
    assertThat(fromHeap.budgets().peerQueueBytes(8L << 20)).as("at least 1 MiB")
        .isEqualTo(1L << 20);
    assertThat(ClusterConfig.parse(parse(valid() + "runtime.peer-queue-bytes=5000\n")
        .toProperties(), "round trip", Path.of("/")).budgets().peerQueueBytes()).isEqualTo(5_000);
    assertThatThrownBy(() -> parse(valid() + "runtime.peer-queue-bytes=0\n"))
        .hasMessageContaining("runtime.peer-queue-bytes is 0; it must be between 4096");
    assertThatThrownBy(() -> parse(valid() + "redis.total-bytes=10\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(s -> s.startsWith("redis.total-bytes is 10; it must be between 4096")));
  }

  @Test
  void perClientSecretsParseAndExcludeTheSharedOneAndTheReservedIds() throws Exception {
    ClusterConfig config = parse(valid() + "client.alice.secret=" + HEX + "\n");
    assertThat(config.perClientAuthentication()).isTrue();
    assertThat(config.clientSecrets()).containsOnlyKeys("alice");
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"))
        .clientSecrets()).containsOnlyKeys("alice");
    assertThat(config.forwarderSecret(1)).isNotEqualTo(config.forwarderSecret(2)).hasSize(32);
    assertThatThrownBy(() -> parse(valid() + "client.alice.secret=" + HEX + "\nclient.secret="
        + HEX + "\n")).hasMessageContaining("give either client.secret");
    assertThatThrownBy(() -> parse(valid() + "client.lockstep-replica-1.secret=" + HEX + "\n"))
        .hasMessageContaining("reserved for replicas");
    assertThatThrownBy(() -> parse(valid() + "client.bob.secret=abcd\n"))
        .hasMessageContaining("client.bob.secret must be at least 32 hex digits");
  }

  @Test
  void theRedisMemoryBoundDefaultsTo256MibAndCanBeRaisedForLargeStates() throws Exception {
    assertThat(parse(valid()).redisMaxMemory()).isEqualTo(256L << 20);
    ClusterConfig config = parse(valid() + "redis.max-memory=2147483648\n");
    assertThat(config.redisMaxMemory()).isEqualTo(2L << 30);
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"))
        .redisMaxMemory()).isEqualTo(2L << 30);
    assertThatThrownBy(() -> parse(valid() + "redis.max-memory=0\n"))
        .hasMessageContaining("redis.max-memory");
  }

  @Test
  void aRedisPasswordIsOptionalAndSurvivesTheRoundTrip() throws Exception {
    assertThat(parse(valid()).redisPassword()).isNull();
    ClusterConfig config = parse(valid() + "redis.password= s3cret \n");
    assertThat(config.redisPassword()).isEqualTo("s3cret");
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"))
        .redisPassword()).isEqualTo("s3cret");
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void theDigestIntervalDefaultsToTheSnapshotIntervalAndSurvivesTheRoundTrip() throws Exception {
    assertThat(parse(valid()).digestInterval()).isEqualTo(100_000)
        .isEqualTo(ClusterConfig.DEFAULT_DIGEST_INTERVAL);
    ClusterConfig config = parse(valid() + "digest.interval=1000\n");
    assertThat(config.digestInterval()).isEqualTo(1000);
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"))
        .digestInterval()).isEqualTo(1000);
    assertThat(parse(valid() + "digest.interval=0\n").digestInterval()).as("off").isZero();
    assertThatThrownBy(() -> parse(valid() + "digest.interval=-5\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.startsWith("digest.interval")));
  }

  @Test
  void relativeDataDirIsResolvedAgainstTheFilesDirectory() throws Exception {
    assertThat(parse(valid()).dataDir()).isEqualTo(Path.of("/etc/lockstep/data"));
  }

  @Test
  void aTestClockOffsetShiftsOneReplicasWallClockAndSurvivesTheRoundTrip() throws Exception {
    ClusterConfig config = parse(valid() + "runtime.test-clock-offset-ms.2=3600000\n");
    assertThat(config.testClockOffset(2)).isEqualTo(3_600_000);
    assertThat(config.testClockOffset(1)).isZero();
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"))
        .testClockOffset(2)).isEqualTo(3_600_000);
    assertThat(parse(valid()).withTestClockOffset(3, -5).testClockOffset(3)).isEqualTo(-5);
  }

  @Test
  void aTestClockOffsetForAnUnknownReplicaOrOfAbsurdSizeIsRefused() {
    assertThatThrownBy(() -> parse(valid() + "runtime.test-clock-offset-ms.9=1000\n"
        + "runtime.test-clock-offset-ms.x=1000\n"
        + "runtime.test-clock-offset-ms.1=999999999999\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(s -> s.equals("runtime.test-clock-offset-ms.9: '9' is not the id of a"
                + " configured replica"))
            .anyMatch(s -> s.startsWith("runtime.test-clock-offset-ms.x: 'x' is not"))
            .anyMatch(s -> s.startsWith("runtime.test-clock-offset-ms.1 is 999999999999; it must"
                + " be between -864000000 and 864000000")));
  }

  @Test
  void sparesAreListedReplicasOutsideTheInitialConfigurationAndSurviveTheRoundTrip()
      throws Exception {
    String spare = "replica.4.peer=127.0.0.1:7104\nreplica.4.client=127.0.0.1:7204\n"
        + "replica.4.redis=127.0.0.1:7004\nreplica.4.metrics=127.0.0.1:7304\n"
        + "replica.4.role=spare\n";
    ClusterConfig config = parse(valid() + spare);
    assertThat(config.voters()).containsExactly(1, 2, 3);
    assertThat(config.spares()).containsExactly(4);
    assertThat(config.members()).containsExactly(1, 2, 3, 4);
    ClusterConfig back = ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"));
    assertThat(back.spares()).containsExactly(4);
    assertThat(parse(valid() + "replica.2.role=voter\n").voters()).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> parse(valid() + "replica.2.role=observer\n"))
        .hasMessageContaining("replica.2.role 'observer' must be voter or spare");
    assertThatThrownBy(() -> parse(valid() + "replica.9.role=spare\n"))
        .hasMessageContaining("replica.9.role names no configured replica");
    assertThatThrownBy(() -> parse(valid() + "replica.1.role=spare\nreplica.2.role=spare\n"
        + "replica.3.role=spare\n")).hasMessageContaining("every replica is a spare");
    assertThatThrownBy(() -> parse(valid() + "replica.1.role=spare\n"))
        .as("raft still needs 2t+1 voters in the initial configuration")
        .hasMessageContaining("2t+1");
  }

  @Test
  void theConfiguratorBoundDefaultsTo30SecondsCanBeOffAndSurvivesTheRoundTrip()
      throws Exception {
    assertThat(parse(valid()).configuratorUnreachableMillis()).isEqualTo(30_000);
    assertThat(parse(valid() + "cluster.configurator.unreachable-ms=off\n")
        .configuratorUnreachableMillis()).isZero();
    ClusterConfig config = parse(valid() + "cluster.configurator.unreachable-ms=2000\n");
    assertThat(config.configuratorUnreachableMillis()).isEqualTo(2_000);
    assertThat(ClusterConfig.parse(config.toProperties(), "round trip", Path.of("/"))
        .configuratorUnreachableMillis()).isEqualTo(2_000);
    assertThat(ClusterConfig.parse(config.withConfiguratorUnreachableMillis(0).toProperties(),
        "round trip", Path.of("/")).configuratorUnreachableMillis()).isZero();
    assertThatThrownBy(() -> parse(valid() + "cluster.configurator.unreachable-ms=0\n"))
        .hasMessageContaining("cluster.configurator.unreachable-ms is 0");
    assertThatThrownBy(() -> parse(valid() + "cluster.configurator.unreachable-ms=soon\n"))
        .hasMessageContaining("is not a whole number");
  }

  private static ClusterConfig parse(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return ClusterConfig.parse(p, "test", Path.of("/etc/lockstep"));
  }

  private static String valid() {
    StringBuilder s = new StringBuilder("""
        cluster.name=demo
        cluster.failure-model=fail-stop
        cluster.t=1
        cluster.data-dir=data
        """).append("cluster.secret=").append(HEX).append('\n');
    for (int i = 1; i <= 3; i++) {
      s.append("replica.").append(i).append(".peer=127.0.0.1:").append(7100 + i).append('\n')
          .append("replica.").append(i).append(".client=127.0.0.1:").append(7200 + i).append('\n')
          .append("replica.").append(i).append(".redis=127.0.0.1:").append(7000 + i).append('\n')
          .append("replica.").append(i).append(".metrics=127.0.0.1:").append(7300 + i)
          .append('\n');
    }
    return s.toString();
  }
}
