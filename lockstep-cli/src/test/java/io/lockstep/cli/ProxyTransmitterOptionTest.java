package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code lockstep proxy --transmitter} and {@code lockstep bench --transmitter}: the one-replica
 * mode is refused, with the reason and before anything listens or connects, where it cannot
 * work, and an unknown mode names the accepted ones.
 */
class ProxyTransmitterOptionTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy", "bench"})
  void oneReplicaIsRefusedForAFailStopClusterAndAnUnknownModeNamesTheChoices(String command)
      throws Exception {
    new LocalLayout(dir, 3, 41_100, Service.KV).prepare();
    assertThat(runWith(command, "one-replica")).isEqualTo(2);
    assertThat(err.toString()).contains("--transmitter: client.transmitter=one-replica is for"
        + " Byzantine clusters");
    assertThat(runWith(command, "sometimes")).isEqualTo(2);
    assertThat(err.toString()).contains("is not broadcast, one-replica or relay");
  }

  private int runWith(String command, String mode) {
    return command.equals("proxy")
        ? run("proxy", "--data-dir", dir.toString(), "--port", "0", "--transmitter", mode)
        : run("bench", "--data-dir", dir.toString(), "--duration", "1s", "--transmitter", mode);
  }
}
