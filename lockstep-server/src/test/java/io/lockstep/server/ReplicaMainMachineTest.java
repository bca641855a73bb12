package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ReplicaMain --machine CLASS --classpath JARS}: the process entry of a user's machine. */
class ReplicaMainMachineTest {
  @TempDir Path dir;

  @Test
  void aReplicaStartedForAnotherMachineOrWithAMissingJarExitsWithCodeTwoAndOneLine()
      throws Exception {
    ClusterConfig config = ClusterConfig.local("t", 3, 20_000, dir, Service.KV, new byte[32])
        .withMachine(CounterMachine.class.getName());
    Path file = dir.resolve("cluster.properties");
    try (var out = Files.newBufferedWriter(file)) {
      config.toProperties().store(out, null);
    }
    String[] wrongMachine = {"--config", file.toString(), "--id", "1", "--machine", "x.Other"};
    String[] missingJar = {"--config", file.toString(), "--id", "1", "--classpath",
        dir.resolve("gone.jar").toString()};
    String[] unknownOption = {"--config", file.toString(), "--id", "1", "--colour", "blue"};
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      assertThat(ReplicaMain.run(wrongMachine)).isEqualTo(2);
      assertThat(ReplicaMain.run(missingJar)).isEqualTo(2);
      assertThat(ReplicaMain.run(unknownOption)).isEqualTo(2);
    } finally {
      System.setErr(saved);
    }
    assertThat(err.toString().lines().toList()).containsExactly(
        "replica 1 was given machine x.Other, but cluster t runs"
            + " cluster.machine=io.lockstep.server.CounterMachine; every replica must run the"
            + " same state machine",
        "classpath entry " + dir.resolve("gone.jar") + " for machine "
            + "io.lockstep.server.CounterMachine does not exist",
        "usage: ReplicaMain --config FILE --id N [--machine CLASS] [--classpath JAR:...]");
    assertThat(Files.exists(config.dataDirOf(1))).as("nothing written").isFalse();
  }
}
