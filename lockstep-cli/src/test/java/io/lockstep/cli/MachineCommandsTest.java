package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.process.FreePorts;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --machine} and {@code --classpath} of {@code local} and {@code replica}, in-process. */
class MachineCommandsTest {
  private static final String BANK = "io.lockstep.example.bank.Bank";
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
  void localRefusesAMachineItCannotLoadWithOneLineNamingClassAndJarBeforeStartingAnything()
      throws Exception {
    Path jar = emptyJar("lib.jar", null);
    Path data = dir.resolve("data");
    assertThat(run("local", "--data-dir", data.toString(), "--machine", "com.example.Nope",
        "--classpath", jar.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("machine class com.example.Nope not found in ["
        + jar.toAbsolutePath() + "]" + System.lineSeparator());
    assertThat(data).doesNotExist();
  }

  @Test
  void localRefusesMachineOptionsThatDoNotGoTogether() {
    assertThat(run("local", "--data-dir", dir.toString(), "--classpath", "x.jar")).isEqualTo(2);
    assertThat(err.toString()).contains("--classpath goes with --machine CLASS");
    assertThat(run("local", "--data-dir", dir.toString(), "--service", "lock", "--machine", BANK))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--machine runs your own state machine; drop --service");
    assertThat(run("local", "--data-dir", dir.toString(), "--service", "machine")).isEqualTo(2);
    assertThat(err.toString()).contains("--service machine needs --machine CLASS");
  }

  @Test
  void aReplicaStartedWithAnotherMachineThanItsConfigIsRefusedWithExitTwo() throws Exception {
    ClusterConfig kv = new LocalLayout(dir, 3, FreePorts.basePort(3), Service.KV).prepare();
    assertThat(run("replica", "--config", dir.resolve("cluster.properties").toString(), "--id",
        "1", "--machine", BANK)).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("replica 1 was given machine " + BANK + ", but cluster"
        + " local runs cluster.service=kv (io.lockstep.redis.RedisStore); every replica must run"
        + " the same state machine" + System.lineSeparator());
    assertThat(kv.dataDirOf(1)).doesNotExist();
  }

  @Test
  void theLocalLayoutRecordsTheMachineAndRefusesADirectoryOfAnotherMachine() throws Exception {
    ClusterConfig config = LocalLayout.ofMachine(dir, 3, 7000, BANK).prepare();
    assertThat(config.service()).isEqualTo(Service.MACHINE);
    assertThat(config.machine()).isEqualTo(BANK);
    assertThat(Files.readString(dir.resolve("cluster.properties")))
        .contains("cluster.service=machine\ncluster.machine=" + BANK + "\n");
    assertThatThrownBy(() -> LocalLayout.ofMachine(dir, 3, 7000, "com.example.Other").prepare())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds a 3-replica " + BANK + " cluster; run with --replicas 3"
            + " --machine " + BANK);
    assertThatThrownBy(() -> new LocalLayout(dir, 3, 7000, Service.KV).prepare())
        .hasMessageContaining("--machine " + BANK);
  }

  @Test
  void theJarsMainClassIsFoundForTheConnectHint() throws Exception {
    assertThat(MachineClients.mainClass(emptyJar("app.jar", "com.example.Main")))
        .contains("com.example.Main");
    assertThat(MachineClients.mainClass(emptyJar("lib.jar", null))).isEmpty();
    assertThat(MachineClients.mainClass(dir.resolve("missing.jar"))).isEmpty();
  }

  private Path emptyJar(String name, String mainClass) throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (mainClass != null) {
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
    }
    Path jar = dir.resolve(name);
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      j.flush();
    }
    return jar;
  }
}
