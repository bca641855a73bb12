package io.lockstep.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.FailureModel;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster file's keys as `lockstep keys` writes them: parsed and round-tripped; all or
 * nothing for replicas; required by the Byzantine model, which the named protocol (not the
 * loader) decides whether it can run.
 */
class ClusterKeysConfigTest {
  private static final String HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @TempDir Path dir;

  private static String cluster(int replicas, String model, int t, String protocol) {
    StringBuilder s = new StringBuilder("cluster.name=demo\ncluster.data-dir=data\n")
        .append("cluster.failure-model=").append(model).append("\ncluster.t=").append(t)
        .append("\ncluster.protocol=").append(protocol).append("\ncluster.secret=").append(HEX)
        .append('\n');
    for (int i = 1; i <= replicas; i++) {
      for (String kind : List.of("peer", "client", "redis", "metrics")) {
        s.append("replica.").append(i).append('.').append(kind).append("=127.0.0.1:")
            .append(7000 + 100 * List.of("redis", "peer", "client", "metrics").indexOf(kind) + i)
            .append('\n');
      }
    }
    return s.toString();
  }

  private static ClusterConfig parse(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return ClusterConfig.parse(p, "test", Path.of("/etc/lockstep"));
  }

  private String keyLines(int replicas, String... clients) throws Exception {
    List<Integer> ids = java.util.stream.IntStream.rangeClosed(1, replicas).boxed().toList();
    Path keys = java.nio.file.Files.createTempDirectory(dir, "keys");
    return String.join("\n", ClusterKeys.generate(keys, ids, List.of(clients)).lines()) + "\n";
  }

  @Test
  void keysWrittenByTheGeneratorAreParsedAndSurviveToProperties() throws Exception {
    ClusterConfig config = parse(cluster(3, "fail-stop", 1, "raft") + keyLines(3, "app"));
    assertThat(config.keys().replicaKeys()).containsOnlyKeys(1, 2, 3);
    assertThat(config.keys().clientKeys()).containsOnlyKeys("app");
    assertThat(config.keys().replicaPrivateKey(2).getAlgorithm()).isEqualTo("EdDSA");
    assertThat(config.keys().replicaKeyFiles().get(2).getFileName().toString())
        .isEqualTo("replica-2.key");
    Properties written = config.toProperties();
    ClusterConfig again = ClusterConfig.parse(written, "again", Path.of("/"));
    assertThat(again.keys()).isEqualTo(config.keys());
  }

  @Test
  void aReplicaWithoutAKeyAMalformedKeyAndAKeyForNoReplicaAreEachReported() throws Exception {
    String lines = keyLines(2) + "replica.3.public-key=bm90IGEga2V5\n"
        + "replica.9.public-key=" + keyLines(1).lines().findFirst().orElseThrow().split("=", 2)[1]
        + "\n";
    assertThatThrownBy(() -> parse(cluster(4, "fail-stop", 1, "raft")
        .replace("replica.3.public-key", "x") + lines))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.startsWith("replica.3.public-key is not an Ed25519 public key"))
            .anyMatch(p -> p.equals("replica.9.public-key names no configured replica"))
            .anyMatch(p -> p.startsWith("replica.4.public-key is missing")));
  }

  @Test
  void byzantineWithoutKeysIsRefusedWithWhatToRun() {
    assertThatThrownBy(() -> parse(cluster(4, "byzantine", 1,
        ByzantineCheckOnlyProtocol.NAME)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.contains("byzantine needs every replica's key")
                && p.contains("lockstep keys")));
  }

  @Test
  void byzantineIsAcceptedWhenTheNamedProtocolsCheckAcceptsItAndRefusedByRaft()
      throws Exception {
    ClusterConfig config = parse(cluster(4, "byzantine", 1, ByzantineCheckOnlyProtocol.NAME)
        + keyLines(4));
    assertThat(config.failureModel()).isEqualTo(FailureModel.BYZANTINE);
    assertThatThrownBy(() -> parse(cluster(4, "byzantine", 1, "raft")
        + String.join("\n", new ClusterKeys(config.keys().replicaKeys(),
            config.keys().replicaKeyFiles(), java.util.Map.of(), java.util.Map.of()).lines())))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.toLowerCase(java.util.Locale.ROOT).contains("byzantine")));
    assertThatThrownBy(() -> parse(cluster(3, "byzantine", 1, ByzantineCheckOnlyProtocol.NAME)
        + keyLines(3)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.contains("needs at least 4 replicas")));
  }

  private static String withoutSecret(String cluster) {
    return cluster.replace("cluster.secret=" + HEX + "\n", "");
  }

  @Test
  void keysStandInForTheSecretInBothFailureModelsAndSurviveToProperties() throws Exception {
    ClusterConfig crash = parse(withoutSecret(cluster(3, "fail-stop", 1, "raft"))
        + keyLines(3, "ops") + "cluster.operators=ops\n");
    assertThat(crash.secret()).isNull();
    assertThat(crash.keys().operatorKeys()).containsOnlyKeys("ops");
    ClusterConfig again = ClusterConfig.parse(crash.toProperties(), "again", Path.of("/"));
    assertThat(again.secret()).isNull();
    assertThat(again.keys()).isEqualTo(crash.keys());
    ClusterConfig byzantine = parse(withoutSecret(cluster(4, "byzantine", 1,
        ByzantineCheckOnlyProtocol.NAME)) + keyLines(4));
    assertThat(byzantine.secret()).isNull();
  }

  @Test
  void realTimeRunsByzantineWithTwoTPlusOneKeyedReplicasAndRefusesASetDelta() throws Exception {
    ClusterConfig config = parse(cluster(3, "byzantine", 1, "real-time") + keyLines(3));
    assertThat(config.failureModel()).isEqualTo(FailureModel.BYZANTINE);
    assertThatThrownBy(() -> parse(cluster(3, "byzantine", 1, "real-time") + keyLines(3)
        + "real-time.delta-ms=150\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.contains("real-time.delta-ms cannot be set under Byzantine faults")
                && p.contains("150 would be too small")));
    assertThatThrownBy(() -> parse(cluster(2, "byzantine", 1, "real-time") + keyLines(2)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.contains("real-time needs 2t+1 = 3 replicas")));
  }

  @Test
  void withoutKeysTheSecretIsRequiredAndSaysKeysWouldDo() {
    assertThatThrownBy(() -> parse(withoutSecret(cluster(3, "fail-stop", 1, "raft"))))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.startsWith("cluster.secret (hex) or cluster.secret-file is required"
                + " unless every replica has a key")));
  }

  @Test
  void perClientSecretsWithoutTheSecretAndAnOperatorWithoutAKeyAreRefused() throws Exception {
    String keyed = withoutSecret(cluster(3, "fail-stop", 1, "raft")) + keyLines(3, "ops");
    assertThatThrownBy(() -> parse(keyed + "client.app.secret=" + HEX + "\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .contains(ConfigParser.FORWARDERS_NEED_SECRET));
    assertThatThrownBy(() -> parse(keyed + "cluster.operators=ops, nobody\n"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .containsExactly("cluster.operators names 'nobody', which has no"
                + " client.nobody.public-key: an operator signs commands with its own key"));
    assertThat(parse(keyed + "client.secret=" + HEX + "\n").clientSecret()).isNotNull();
  }
}
