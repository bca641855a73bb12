package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's commands without a running cluster: help, usage errors, files, status parsing. */
class CliCommandsTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("local", "replica", "status", "bench", "sim", "member",
        "client", "device")) {
      assertThat(run(command, "--help")).as(command).isZero();
    }
    assertThat(out.toString()).contains("Usage: lockstep local").contains("--base-port")
        .contains("Usage: lockstep replica").contains("--id")
        .contains("Usage: lockstep status").contains("Usage: lockstep bench").contains("--cas")
        .contains("Usage: lockstep member").contains("replace OLD NEW").contains("--spares")
        .contains("Usage: lockstep client").contains("Usage: lockstep device").contains("--at");
  }

  @Test
  void statusWithoutAClusterSaysWhereItLooked() {
    assertThat(run("status", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("no cluster config at " + dir.resolve("cluster.properties"))
        .contains("lockstep local");
  }

  @Test
  void statusReportsUnreachableReplicas() throws Exception {
    new LocalLayout(dir, 3, 41_000, Service.KV).prepare();
    assertThat(run("status", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(out.toString()).contains("leader: none known")
        .contains("unreachable connection refused at 127.0.0.1:41301");
  }

  @Test
  void memberNeedsAKnownActionAndTheRightNumberOfIds() throws Exception {
    new LocalLayout(dir, 3, 41_000, Service.KV).prepare();
    assertThat(run("member", "frob", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("ACTION must be list, add, remove or replace");
    assertThat(run("member", "replace", "1", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("member replace needs 2 replica ids, got 1");
    assertThat(run("member", "list", "--data-dir", dir.toString(), "--timeout", "2"))
        .as("no replica runs").isEqualTo(1);
    assertThat(err.toString()).contains("no replica carried the command out");
  }

  @Test
  void withoutASecretAnOperatorCommandNeedsAnOperatorsKey() throws Exception {
    ClusterConfig layout = new LocalLayout(dir, 3, 41_000, Service.KV).prepare();
    io.lockstep.server.config.ClusterKeys keys = io.lockstep.server.config.ClusterKeys.generate(
        dir.resolve("keys"), List.of(1, 2, 3), List.of("ops", "app"));
    Path file = dir.resolve("keyed.properties");
    java.util.Properties p = layout.withKeys(keys.withOperators(java.util.Set.of("ops")))
        .toProperties();
    p.remove("cluster.secret");
    try (java.io.Writer w = Files.newBufferedWriter(file)) {
      p.store(w, null);
    }
    assertThat(run("member", "list", "--config", file.toString(), "--client-id", "app"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("has no cluster.secret, so operators sign with their own"
        + " keys: pass --client-id with one of cluster.operators [ops]");
    assertThat(run("member", "list", "--config", file.toString(), "--timeout", "2"))
        .as("the only operator is taken; no replica runs").isEqualTo(1);
    assertThat(err.toString()).contains("no replica carried the command out");
  }

  @Test
  void localListsSparesAfterTheVotersWithTheirRoleAndTheConfiguratorBound() throws Exception {
    ClusterConfig config = new LocalLayout(dir, 3, 41_000, Service.KV, null,
        io.lockstep.order.FailureModel.FAIL_STOP, 2, "1500").prepare();
    assertThat(config.voters()).containsExactly(1, 2, 3);
    assertThat(config.spares()).containsExactly(4, 5);
    assertThat(config.replica(5).orElseThrow().redis().getPort()).isEqualTo(41_005);
    assertThat(config.configuratorUnreachableMillis()).isEqualTo(1_500);
    assertThatThrownBy(() -> new LocalLayout(dir, 3, 41_000, Service.KV).prepare())
        .hasMessageContaining("with 2 spares; run with --replicas 3 --spares 2");
  }

  @Test
  void aByzantineLocalClusterWithASpareOrdersItsReplicaSetAndListsTheSparesKey() throws Exception {
    ClusterConfig config = new LocalLayout(dir, 4, 41_000, Service.KV, null,
        io.lockstep.order.FailureModel.BYZANTINE, 1, null).prepare();
    assertThat(config.voters()).containsExactly(1, 2, 3, 4);
    assertThat(config.spares()).containsExactly(5);
    assertThat(config.protocolSettings()).containsEntry("replica-set", "ordered");
    assertThat(Files.readString(dir.resolve("cluster.properties")))
        .contains("replica.5.public-key=");
    Path fixed = dir.resolve("fixed");
    assertThat(new LocalLayout(fixed, 4, 41_000, Service.KV, null,
        io.lockstep.order.FailureModel.BYZANTINE).prepare().protocolSettings())
        .doesNotContainKey("replica-set");
  }

  @Test
  void benchRefusesFractionsThatDoNotAddUpToOne() throws Exception {
    new LocalLayout(dir, 3, 41_000, Service.KV).prepare();
    assertThat(run("bench", "--data-dir", dir.toString(), "--write", "0.5", "--read", "0.2"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("must add up to 1");
  }

  @Test
  void replicaWithABadConfigListsTheProblemAndExitsWithTwo() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "cluster.name=x\ncluster.t=5\n");
    assertThat(run("replica", "--config", file.toString(), "--id", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("cluster.secret");
  }

  @Test
  void replicaJoiningWhenNoSeedAnswersNamesEachSeedAndExitsWithThree() throws Exception {
    int[] ports = io.lockstep.net.LoopbackPorts.free(5);
    Path file = dir.resolve("join.properties");
    Files.writeString(file, "cluster.name=x\ncluster.data-dir=data\n"
        + "cluster.secret=00112233445566778899aabbccddeeff\n"
        + "replica.1.client=127.0.0.1:" + ports[0] + "\n"
        + "replica.4.peer=127.0.0.1:" + ports[1] + "\nreplica.4.client=127.0.0.1:" + ports[2]
        + "\nreplica.4.redis=127.0.0.1:" + ports[3] + "\nreplica.4.metrics=127.0.0.1:"
        + ports[4] + "\n");
    assertThat(run("replica", "--config", file.toString(), "--id", "4", "--join",
        "--join-timeout", "2")).isEqualTo(3);
    assertThat(err.toString()).contains("replica 4 cannot join")
        .contains("replica 1 at 127.0.0.1:" + ports[0]);
  }

  @Test
  void replicaJoiningAByzantineClusterFromASmallFileNamingOneSeedIsRefusedBeforeAsking()
      throws Exception {
    Path file = dir.resolve("join.properties");
    Files.writeString(file, "cluster.name=x\ncluster.failure-model=byzantine\ncluster.t=1\n"
        + "replica.1.client=127.0.0.1:1\nreplica.4.peer=127.0.0.1:2\n");
    assertThat(run("replica", "--config", file.toString(), "--id", "4", "--join")).isEqualTo(2);
    assertThat(err.toString()).contains("at least t+1 = 2 seeds");
  }

  @Test
  void localLayoutWritesAConfigWithDocumentedPortsAndAPrivateSecretKeptAcrossRuns()
      throws Exception {
    LocalLayout layout = new LocalLayout(dir, 3, 7000, Service.KV);
    ClusterConfig config = layout.prepare();
    assertThat(config.replica(2).orElseThrow().redis().getPort()).isEqualTo(7002);
    assertThat(config.replica(2).orElseThrow().peer().getPort()).isEqualTo(7102);
    assertThat(config.replica(2).orElseThrow().client().getPort()).isEqualTo(7202);
    assertThat(config.replica(2).orElseThrow().metrics().getPort()).isEqualTo(7302);
    assertThat(config.dataDirOf(2)).isEqualTo(dir.toAbsolutePath().resolve("2"));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(layout.secretFile()))).isEqualTo("rw-------");
    byte[] secret = config.secret();
    assertThat(new LocalLayout(dir, 3, 8000, Service.KV).prepare().secret()).isEqualTo(secret);
  }

  @Test
  void localLayoutRefusesADataDirectoryOfAnotherShape() throws Exception {
    new LocalLayout(dir, 3, 7000, Service.KV).prepare();
    assertThatThrownBy(() -> new LocalLayout(dir, 5, 7000, Service.KV).prepare())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("--replicas 3");
    assertThat(run("local", "--data-dir", dir.toString(), "--service", "lock")).isEqualTo(2);
    assertThat(err.toString()).contains("holds a 3-replica kv cluster");
  }

  @Test
  void localRefusesBadOptionsBeforeStartingAnything() {
    assertThat(run("local", "--data-dir", dir.toString(), "--base-port", "65500")).isEqualTo(1);
    assertThat(err.toString()).contains("--base-port must leave room");
    assertThat(run("local", "--data-dir", dir.toString(), "--service", "queue")).isEqualTo(2);
    assertThat(err.toString()).contains("--service must be kv or lock");
  }

  @Test
  void healthJsonIsParsedAndMalformedJsonRefused() {
    ReplicaHealth h = ReplicaHealth.parse(2, 200, "{\"id\":2,\"role\":\"leader\",\"term\":4,"
        + "\"leader\":2,\"commitIndex\":10,\"lastIndex\":11,\"applied\":9,\"snapshotIndex\":0,"
        + "\"healthy\":true}");
    assertThat(h.isLeader()).isTrue();
    assertThat(h.term()).isEqualTo(4);
    assertThat(h.commitIndex()).isEqualTo(10);
    assertThat(h.applied()).isEqualTo(9);
    assertThatThrownBy(() -> ReplicaHealth.parse(2, 200, "{\"role\":\"leader\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("term");
  }

  @Test
  void statusTableShowsLagBehindTheLeadersCommit() throws Exception {
    ClusterConfig config = new LocalLayout(dir, 3, 7000, Service.KV).prepare();
    String table = StatusCommand.table(config, List.of(
        new ReplicaHealth(1, true, true, "leader", 3, 1, 100, 98, ""),
        new ReplicaHealth(2, true, true, "follower", 3, 1, 90, 80, ""),
        ReplicaHealth.unreachable(3, "connection refused at 127.0.0.1:7303")));
    assertThat(table).contains("leader: replica 1")
        .containsPattern("1\\s+leader\\s+3\\s+100\\s+98\\s+2\\s+ok")
        .containsPattern("2\\s+follower\\s+3\\s+90\\s+80\\s+20\\s+ok")
        .contains("3        unreachable connection refused");
  }

  @Test
  void statusShowsWhyAReplicaIsUnhealthy() throws Exception {
    ClusterConfig config = new LocalLayout(dir, 3, 7000, Service.KV).prepare();
    ReplicaHealth sick = ReplicaHealth.parse(2, 503, "{\"id\":2,\"role\":\"follower\",\"term\":3,"
        + "\"leader\":1,\"commitIndex\":90,\"lastIndex\":90,\"applied\":80,"
        + "\"reason\":\"state digest differs from replica \\\"1\\\" at 500\"}");
    assertThat(sick.problem()).isEqualTo("state digest differs from replica \"1\" at 500");
    String table = StatusCommand.table(config, List.of(
        new ReplicaHealth(1, true, true, "leader", 3, 1, 100, 98, ""), sick));
    assertThat(table).containsPattern(
        "2\\s+follower\\s+3\\s+90\\s+80\\s+20\\s+UNHEALTHY: state digest differs from replica \"1\" at 500");
  }

  @Test
  void statusShowsAReplicaThatRunsATestBehaviour() throws Exception {
    ClusterConfig config = new LocalLayout(dir, 3, 7000, Service.KV).prepare();
    ReplicaHealth liar = ReplicaHealth.parse(2, 200, "{\"id\":2,\"role\":\"follower\","
        + "\"term\":3,\"leader\":1,\"commitIndex\":90,\"applied\":90,"
        + "\"testBehaviour\":\"wrong-checkpoint-digest\"}");
    assertThat(liar.testBehaviour()).isEqualTo("wrong-checkpoint-digest");
    String table = StatusCommand.table(config, List.of(
        new ReplicaHealth(1, true, true, "leader", 3, 1, 100, 98, ""), liar));
    assertThat(table).containsPattern("2\\s+follower\\s+3\\s+90\\s+90\\s+10\\s+ok \\(TEST"
        + " BEHAVIOUR wrong-checkpoint-digest: lies on purpose\\)");
    assertThat(table).containsPattern("1\\s+leader.*ok\n");
  }

  @Test
  void statusShowsTheLeadersConfigurationAndCombiningMargin() throws Exception {
    ReplicaHealth leader = ReplicaHealth.parse(1, 200, "{\"id\":1,\"role\":\"leader\","
        + "\"term\":3,\"leader\":1,\"commitIndex\":100,\"lastIndex\":100,\"applied\":98,"
        + "\"snapshotIndex\":0,\"voters\":[1, 2, 4],\"learners\":[5],\"margin\":0,"
        + "\"healthy\":true}");
    assertThat(leader.voters()).isEqualTo("[1, 2, 4]");
    assertThat(ReplicaHealth.ids(leader.learners())).containsExactly(5);
    assertThat(leader.margin()).isZero();
    ClusterConfig config = new LocalLayout(dir, 3, 7000, Service.KV).prepare();
    String table = StatusCommand.table(config, List.of(leader,
        new ReplicaHealth(2, true, true, "follower", 3, 1, 90, 80, "")));
    assertThat(table).contains("configuration: voters [1, 2, 4], learners [5], spares [3],"
        + " margin 0").contains("THIN");
    ReplicaHealth older = ReplicaHealth.parse(1, 200, "{\"role\":\"leader\",\"term\":3,"
        + "\"leader\":1,\"commitIndex\":1,\"applied\":1}");
    assertThat(older.margin()).isNull();
    assertThat(StatusCommand.table(config, List.of(older))).doesNotContain("configuration:");
  }
}
