package io.lockstep.example.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BankMainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return BankMain.run(args, new PrintStream(out, true), new PrintStream(err, true));
  }

  @Test
  void usageErrorsExitTwoAndPrintTheUsage() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).startsWith("usage: bank --config FILE COMMAND");
    err.reset();
    assertThat(run("--config", "x", "deposit", "alice")).isEqualTo(2);
    assertThat(err.toString()).startsWith("deposit takes 2 arguments, got 1");
  }

  @Test
  void aMissingOrInvalidConfigExitsOneWithTheReason() throws Exception {
    Path bad = dir.resolve("cluster.properties");
    Files.writeString(bad, "cluster.name=bank\n");
    assertThat(run("--config", bad.toString(), "balance", "alice")).isEqualTo(1);
    assertThat(err.toString()).contains("cluster.secret (hex) or cluster.secret-file is required");
  }
}
