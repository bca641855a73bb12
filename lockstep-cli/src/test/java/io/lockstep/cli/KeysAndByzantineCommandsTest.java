package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lockstep keys} writes owner-only key files and cluster-file lines a replica accepts;
 * a Byzantine local layout runs pbft with every replica's key and the proxy's, kept across
 * starts.
 */
class KeysAndByzantineCommandsTest {
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
  void keysWritesPrivateFilesAndLinesThatMakeAValidKeyedClusterFile() throws Exception {
    Path keys = dir.resolve("keys");
    assertThat(run("keys", "--replicas", "3", "--clients", "2", "--client-id", "proxy", "-o",
        keys.toString())).isZero();
    for (String name : new String[] {"replica-1.key", "replica-3.key", "client-client-1.key",
        "client-client-2.key", "client-proxy.key"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(name))))
          .as(name).isEqualTo("rw-------");
    }
    assertThat(out.toString()).contains("replica.3.public-key=")
        .contains("replica.3.private-key-file=" + keys.resolve("replica-3.key"))
        .contains("client.proxy.public-key=").contains("client.client-2.private-key-file=");
    LocalLayout layout = new LocalLayout(dir.resolve("data"), 3, 41_000, Service.KV);
    layout.prepare();
    Path file = layout.configFile();
    Files.writeString(file, Files.readString(file) + out.toString(),
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    ClusterConfig config = ClusterConfig.load(file);
    assertThat(config.keys().replicaKeys()).containsOnlyKeys(1, 2, 3);
    assertThat(config.keys().clientKeys()).containsOnlyKeys("client-1", "client-2", "proxy");
    assertThat(run("keys", "--replicas", "1", "-o", keys.toString())).as("never overwrites")
        .isEqualTo(1);
    assertThat(err.toString()).contains("refusing to overwrite");
  }

  @Test
  void addingAMachineByAddressToAByzantineClusterNeedsItsKeyAndNothingIsSentWithout()
      throws Exception {
    LocalLayout layout = new LocalLayout(dir, 4, 41_000, Service.KV, null,
        io.lockstep.order.FailureModel.BYZANTINE);
    layout.prepare();
    assertThat(run("member", "add", "5", "--peer", "127.0.0.1:41105", "--client",
        "127.0.0.1:41205", "--config", layout.configFile().toString(), "--client-id", "proxy"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("a Byzantine cluster admits an added replica by its key")
        .contains("--key PUBLIC-KEY");
  }

  @Test
  void localRefusesAnUnknownFailureModel() {
    assertThat(run("local", "--failure-model", "crashy", "--data-dir",
        dir.resolve("d").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--failure-model must be fail-stop or byzantine");
  }

  @Test
  void aByzantineLayoutNeedsFourReplicasAndWritesKeysAndPbft() throws Exception {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new LocalLayout(dir, 3,
        41_000, Service.KV, null, io.lockstep.order.FailureModel.BYZANTINE)))
        .hasMessageContaining("3t+1");
    LocalLayout layout = new LocalLayout(dir, 4, 41_000, Service.KV, null,
        io.lockstep.order.FailureModel.BYZANTINE);
    ClusterConfig config = layout.prepare();
    assertThat(config.protocol()).isEqualTo("pbft");
    assertThat(config.keys().clientKeys()).containsOnlyKeys("proxy");
    String text = Files.readString(layout.configFile());
    assertThat(text).contains("cluster.failure-model=byzantine").contains("cluster.t=1")
        .contains("cluster.protocol=pbft").contains("replica.4.public-key=")
        .contains("client.proxy.private-key-file=");
    String again = Files.readString(layout.keysDir().resolve("cluster-keys.properties"));
    layout.prepare();
    assertThat(Files.readString(layout.configFile())).as("keys kept across starts")
        .contains(again);
  }

  /**
   * A new cluster file names the settings pbft's data depend on, so a later default cannot
   * apply to this cluster; the rewrite at each start keeps what the file named and adds
   * nothing to a file that named none (a cluster from an earlier build, whose data directories
   * were made with that build's max-batch of 16: the protocol then keeps 16 for them).
   */
  @Test
  void aNewByzantineFileNamesThePositionSettingsAndARewriteNeverAddsThem() throws Exception {
    LocalLayout layout = new LocalLayout(dir, 4, 41_000, Service.KV, null,
        io.lockstep.order.FailureModel.BYZANTINE);
    layout.prepare();
    assertThat(Files.readString(layout.configFile())).contains("pbft.max-batch=64\n")
        .contains("pbft.checkpoint-interval=512\n").contains("pbft.window=1024\n");
    String earlier = Files.readString(layout.configFile()).replaceAll(
        "pbft\\.(max-batch|checkpoint-interval|window)=\\d+\n", "");
    Files.writeString(layout.configFile(), earlier);
    layout.prepare();
    assertThat(Files.readString(layout.configFile())).as("a file from an earlier build")
        .doesNotContain("pbft.max-batch").doesNotContain("pbft.window")
        .doesNotContain("pbft.checkpoint-interval");
    Files.writeString(layout.configFile(), earlier + "pbft.max-batch=16\n");
    ClusterConfig kept = layout.prepare();
    assertThat(kept.protocolSettings()).containsEntry("max-batch", "16")
        .doesNotContainKey("window");
    assertThat(Files.readString(layout.configFile())).contains("pbft.max-batch=16\n")
        .doesNotContain("pbft.max-batch=64");
  }
}
