package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.config.ClusterKeys;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: three replicas whose peer ports use their own keys ({@code lockstep keys}),
 * a {@code lockstep proxy} process acting as the keyed client "proxy", and a Python socket
 * client speaking RESP to the proxy as an unmodified Redis client would.
 */
class ProxyProcessTest {
  @TempDir Path dir;

  @Test
  void anUnmodifiedRedisClientIsServedThroughTheProxyByAKeyedCluster() throws Exception {
    ClusterKeys keys = ClusterKeys.generate(dir.resolve("keys"), List.of(1, 2, 3),
        List.of("proxy"));
    try (ProcessCluster cluster = ProcessCluster.start(dir, false,
        String.join("\n", keys.lines()) + "\n")) {
      cluster.awaitLeader();
      int port = FreePorts.basePort(1);
      Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), "io.lockstep.cli.Main",
          "proxy", "--config", cluster.configFiles.get(1).toString(), "--port",
          Integer.toString(port), "--client-id", "proxy")
          .redirectError(dir.resolve("proxy.err").toFile()).start();
      try {
        BufferedReader out = new BufferedReader(
            new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        String banner = out.readLine();
        assertThat(banner).contains("lockstep proxy for cluster test").contains("fail-stop");
        assertThat(out.readLine()).contains("redis-cli -h 127.0.0.1 -p " + port);
        List<String> replies = resp(port, "SET", "k", "v1", "--", "GET", "k", "--", "INCR", "n",
            "--", "INCR", "n", "--", "GET", "missing", "--", "NOSUCHCOMMAND");
        assertThat(replies.subList(0, 5)).containsExactly("+OK", "$v1", ":1", ":2", "$nil");
        assertThat(replies.get(5)).as("a bad command gets an error, the connection stays")
            .startsWith("-ERR unknown command 'NOSUCHCOMMAND'");
        assertThat(cluster.jedis(1).get("k")).as("written through the replicas").isEqualTo("v1");
      } finally {
        proxy.destroy();
        proxy.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Runs the Python RESP client; its reply lines. */
  static List<String> resp(int port, String... args) throws Exception {
    Path script = Path.of(ProxyProcessTest.class.getResource("/resp_client.py").toURI());
    List<String> command = new ArrayList<>(List.of("python3", script.toString(),
        Integer.toString(port)));
    command.addAll(List.of(args));
    Process python = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(python.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(python.exitValue()).as(output).isZero();
    return output.lines().toList();
  }
}
