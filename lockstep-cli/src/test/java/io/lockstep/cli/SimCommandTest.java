package io.lockstep.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.check.History;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(SimCommand command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void unknownProtocolIsAUsageErrorWithExitCode2() {
    int code = run(new SimCommand(), "--protocol", "paxos", "--seed", "1");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("unknown protocol 'paxos'").contains("pbft, raft");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void pbftRunsFourReplicasWithAByzantineOne() {
    int code = run(new SimCommand(), "--protocol", "pbft", "--seeds", "2", "--fault-ms", "1000",
        "--verbose");
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString()).contains("ok seed 1:").contains("summary: 2 seeds, 0 failed");
  }

  @Test
  void seedAndSeedsTogetherAreAUsageError() {
    assertThat(run(new SimCommand(), "--seed", "1", "--seeds", "3")).isEqualTo(2);
    assertThat(err.toString()).contains("either --seed or --seeds");
  }

  @Test
  void impossibleOptionsAreAUsageError() {
    assertThat(run(new SimCommand(), "--seed", "1", "--clients", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("clients must be at least 1");
  }

  @Test
  void oneSeedPrintsItsDigestAndReplaysIdentically() {
    int code = run(new SimCommand(), "--seed", "7", "--fault-ms", "2000");
    assertThat(code).as(out.toString()).isZero();
    String first = digestLine(out.toString());
    assertThat(first).matches("digest [0-9a-f]{64}");
    out.getBuffer().setLength(0);
    run(new SimCommand(), "--seed", "7", "--fault-ms", "2000");
    assertThat(digestLine(out.toString())).isEqualTo(first);
    assertThat(out.toString()).contains("summary: 1 seeds, 0 failed");
  }

  private static String digestLine(String text) {
    return text.lines().filter(l -> l.startsWith("digest ")).findFirst().orElse("none");
  }

  @Test
  void historyFilesAreWrittenPerSeedAndParse(@TempDir Path dir) throws IOException {
    int code = run(new SimCommand(), "--seeds", "2", "--fault-ms", "1000", "--history-dir",
        dir.toString());
    assertThat(code).as(out.toString()).isZero();
    for (String name : new String[] {"1.jsonl", "2.jsonl"}) {
      try (Reader reader = Files.newBufferedReader(dir.resolve(name))) {
        History history = History.readJsonLines(reader);
        assertThat(history.ops()).isNotEmpty();
      }
    }
    assertThat(out.toString()).contains("summary: 2 seeds, 0 failed");
  }

  @Test
  void aFailingSeedIsReportedWithItsReplayCommandAndExitCode1() {
    CoordinationFactory raft = Simulation.raft();
    CoordinationFactory brokenOnSeedTwo = (id, members, recovered, seed) -> {
      throw new IllegalStateException("deliberately broken");
    };
    int code = run(new SimCommand(Map.of("raft", raft, "broken", brokenOnSeedTwo)),
        "--protocol", "broken", "--seeds", "2", "--fault-ms", "500");
    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .contains("FAIL seed 1: invariant: replica 0: java.lang.IllegalStateException: "
            + "deliberately broken — replay: ./lockstep sim --protocol broken --seed 1"
            + " --fault-ms 500")
        .contains("FAIL seed 2:")
        .contains("summary: 2 seeds, 2 failed");
  }
}
