package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica process that fails at start after it has logged (its storage recovered, then its
 * peer port is taken) exits with code 3 as soon as it has said why. Its log manager keeps the
 * log open at exit until the replica says it stopped (bounded by 15 s): a replica that never
 * ran must say so too, or every refused start (a {@code replica-uid} replica that ran before,
 * every replica of a second {@code local} on such a directory) would hold its process, and
 * whoever waits for it, for those 15 s.
 */
class ReplicaExitProcessTest {
  /** Well under the log manager's 15 s bound, well over an exit on a busy machine. */
  private static final long EXIT_BOUND_MILLIS = 8_000;

  @TempDir Path dir;

  @Test
  void aReplicaThatCannotStartExitsAsSoonAsItHasSaidWhy() throws Exception {
    exitsWithThreeSoonAfterSayingWhy(ReplicaAddresses::peer, "cannot listen on");
  }

  /** The Redis port too: a taken one is "cannot start" (3), not an unexpected failure (1). */
  @Test
  void aReplicaWhoseRedisPortIsTakenExitsWithTheCannotStartStatus() throws Exception {
    exitsWithThreeSoonAfterSayingWhy(ReplicaAddresses::redis, "cannot listen for Redis clients");
  }

  private void exitsWithThreeSoonAfterSayingWhy(
      Function<ReplicaAddresses, InetSocketAddress> port, String reason) throws Exception {
    int base = FreePorts.basePort(1);
    ClusterConfig config = ClusterConfig.local("exit", 1, base, dir.resolve("data"),
        Service.KV, new byte[32]);
    Path file = dir.resolve("cluster.properties");
    try (var out = Files.newBufferedWriter(file)) {
      config.toProperties().store(out, null);
    }
    Path output = dir.resolve("replica.out");
    int taken = port.apply(config.replica(1).orElseThrow()).getPort();
    try (ServerSocket holder = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
      Process replica = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"),
          "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
          "io.lockstep.server.ReplicaMain", "--config", file.toString(), "--id", "1"))
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      try {
        long said = awaitLine(replica, output, "replica 1 cannot start");
        assertThat(replica.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
        long exitMillis = (System.nanoTime() - said) / 1_000_000;
        assertThat(replica.exitValue()).isEqualTo(3);
        assertThat(Files.readString(output)).contains(reason);
        assertThat(Files.readString(config.dataDirOf(1).resolve("replica.log")))
            .as("it logged before it failed, so the log manager's wait was armed")
            .contains("Recovered");
        assertThat(exitMillis).as("ms from its last word to its exit: %s",
            Files.readString(output)).isLessThan(EXIT_BOUND_MILLIS);
      } finally {
        replica.destroyForcibly();
      }
    }
  }

  /** Polls {@code output} for {@code text}; returns {@link System#nanoTime} when it was seen. */
  private static long awaitLine(Process p, Path output, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(output, StandardCharsets.UTF_8).contains(text)) {
      boolean exited = !p.isAlive();
      String seen = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(seen.contains(text) || !exited && System.nanoTime() < deadline)
          .as("'%s' in %s", text, seen).isTrue();
      Thread.sleep(20);
    }
    return System.nanoTime();
  }
}
