package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.process.FreePorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lockstep bench --local}: starts replica processes, drives them, reports, stops them. */
class BenchCommandProcessTest {
  @TempDir Path dir;

  @Test
  void benchAgainstALocalClusterReportsThroughputAndLatencyPercentiles() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute("bench", "--local", "--data-dir", dir.toString(), "--base-port",
        Integer.toString(FreePorts.basePort(3)), "--clients", "4", "--duration", "2s",
        "--warmup", "1s",
        "--write", "0.5", "--read", "0.3", "--cas", "0.2", "--value-size", "64");
    assertThat(code).as("exit code; out: %s err: %s", out, err).isZero();
    assertThat(out.toString()).contains("4 closed-loop clients")
        .contains("Java client (io.lockstep.client.KvClient)")
        .containsPattern("throughput\\s+[0-9,.]+ ops/s").contains("latency p99.9")
        .contains("errors").contains("none");
    assertThat(err.toString()).as("progress lines").isNotBlank();
  }

}
