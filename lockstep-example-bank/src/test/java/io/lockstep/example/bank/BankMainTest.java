package io.lockstep.example.bank;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  void usageErrorsExitTwoBeforeConnectingAndSayWhatIsWrong() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).startsWith("usage: bank --config FILE COMMAND");
    for (List<String> bad : List.of(
        List.of("deposit", "alice"), List.of("deposit", "alice", "ten"),
        List.of("withdraw", "alice", "-5"), List.of("transfer", "alice", "alice", "1"),
        List.of("open", "a b"), List.of("frob"), List.of("replica", "one"))) {
      err.reset();
      String[] args = new String[bad.size() + 2];
      args[0] = "--config";
      args[1] = dir.resolve("missing.properties").toString();
      for (int i = 0; i < bad.size(); i++) {
        args[i + 2] = bad.get(i);
      }
      assertThat(run(args)).as(bad.toString()).isEqualTo(2);
      assertThat(err.toString()).as(bad.toString()).doesNotContain("missing.properties");
    }
    assertThat(BankMain.parse(List.of("transfer", "alice", "bob", "30")))
        .isEqualTo(new BankCommand.Transfer("alice", "bob", 30));
    assertThat(BankMain.parse(List.of("replica", "2"))).isEqualTo(2);
  }

  @Test
  void theReasonOfABadArgumentIsPrinted() throws Exception {
    assertThat(run("--config", "x", "deposit", "alice", "ten")).isEqualTo(2);
    assertThat(err.toString()).startsWith("'ten' is not a whole number");
    err.reset();
    assertThat(run("--config", "x", "withdraw", "alice", "0")).isEqualTo(2);
    assertThat(err.toString()).startsWith("amount must be positive, was 0");
  }

  @Test
  void aMissingOrInvalidConfigExitsOneWithTheReason() throws Exception {
    Path bad = dir.resolve("cluster.properties");
    Files.writeString(bad, "cluster.name=bank\n");
    assertThat(run("--config", bad.toString(), "balance", "alice")).isEqualTo(1);
    assertThat(err.toString()).contains("cluster.secret (hex) or cluster.secret-file is required");
  }
}
