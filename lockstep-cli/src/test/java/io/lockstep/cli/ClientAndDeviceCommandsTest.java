package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.process.FreePorts;
import io.lockstep.order.Role;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code lockstep client} and {@code lockstep device} against three real replicas in this
 * process: a change is ordered and reports its stated position, a change that would change
 * nothing is refused with the replicas' reason, {@code list} shows the result, a config file
 * with another secret is refused, and usage mistakes exit 2.
 */
class ClientAndDeviceCommandsTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final List<ReplicaServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(ReplicaServer::close);
  }

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private void startCluster() throws Exception {
    ClusterConfig config = new LocalLayout(dir, 3, FreePorts.basePort(3), Service.KV).prepare();
    for (int id = 1; id <= 3; id++) {
      servers.add(ReplicaServer.start(config, id));
    }
    long end = System.nanoTime() + 15_000_000_000L;
    while (servers.stream().noneMatch(s -> s.status().role() == Role.LEADER)
        && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }

  private static long position(String text) {
    Matcher m = Pattern.compile("takes effect at position (\\d+)").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void changesAreOrderedListedAndRefusedWithTheReplicasReasons() throws Exception {
    startCluster();
    String data = dir.toString();
    assertThat(run("device", "add", "flap-1", "--data-dir", data)).as(err.toString()).isZero();
    long deviceAt = position(out.toString());
    assertThat(run("device", "add", "flap-1", "--data-dir", data)).isEqualTo(1);
    assertThat(err.toString()).contains("lockstep device add flap-1: device flap-1 is already"
        + " admitted (counting pending changes)");
    assertThat(run("client", "remove", "mallory", "--data-dir", data)).as(err.toString())
        .isZero();
    long removedAt = position(out.toString());
    assertThat(removedAt).isGreaterThan(deviceAt);
    assertThat(run("client", "remove", "lockstep:admin", "--data-dir", data)).isEqualTo(1);
    assertThat(err.toString()).contains("cannot be removed");
    assertThat(run("client", "add", "bob", "--at", "3", "--data-dir", data)).isEqualTo(1);
    assertThat(err.toString()).contains("lockstep client add bob:");

    assertThat(run("client", "list", "--data-dir", data)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("pending: remove client mallory at " + removedAt);
    assertThat(run("device", "list", "--data-dir", data)).isZero();
    assertThat(out.toString()).contains("pending: add device flap-1 at " + deviceAt)
        .doesNotContain("mallory");
  }

  @Test
  void aConfigFileWithAnotherSecretIsRefusedAndUsageMistakesExitTwo() throws Exception {
    startCluster();
    Path forgedDir = Files.createDirectories(dir.resolve("forged"));
    String secret = Files.readString(dir.resolve(LocalLayout.SECRET_FILE)).strip();
    Files.writeString(forgedDir.resolve(LocalLayout.SECRET_FILE),
        (secret.charAt(0) == '0' ? "1" : "0") + secret.substring(1) + "\n");
    Files.copy(dir.resolve(LocalLayout.CONFIG_FILE), forgedDir.resolve(LocalLayout.CONFIG_FILE));
    Path forged = forgedDir.resolve(LocalLayout.CONFIG_FILE);
    assertThat(run("client", "remove", "victim", "--config", forged.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("not signed with this cluster's secret");
    assertThat(run("client", "list", "--data-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("removed: none").contains("configuration version 0");

    assertThat(run("client", "frob", "x", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("ACTION must be list, add or remove, was 'frob'");
    assertThat(run("device", "remove", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("device remove needs the device's name");
    assertThat(run("device", "list", "flap", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("device list takes no name");
    assertThat(run("client", "add", "x", "--at", "-1", "--data-dir", dir.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--at must not be negative");
  }
}
