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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
    assertThat(err.toString()).contains("unknown protocol 'paxos'").contains("raft, raft-serial,"
        + " pbft, logical-clock, real-time, replica-uid, replica-uid-abcast");
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

  /**
   * The paper's schemes run as their simulation tests run them: fail-stop with t+1 replicas
   * whose crashes last (their own failure model, so no flag, except once to show the flag is
   * the same), and the Byzantine variants with 2t+1 replicas, t of them lying.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"logical-clock, , 3", "real-time, , 3", "replica-uid, , 3",
      "replica-uid-abcast, fail-stop, 3", "real-time, byzantine, 2", "replica-uid, byzantine, 2"})
  void eachOfThePapersSchemesPassesAFewSeeds(String protocol, String model, int seeds) {
    List<String> args = new ArrayList<>(List.of("--protocol", protocol, "--seeds",
        Integer.toString(seeds), "--fault-ms", "1000", "--verbose"));
    if (model != null) {
      args.addAll(List.of("--failure-model", model));
    }
    int code = run(new SimCommand(), args.toArray(String[]::new));
    assertThat(code).as(out + "" + err).isZero();
    assertThat(out.toString()).contains("ok seed 1:")
        .contains("summary: " + seeds + " seeds, 0 failed");
  }

  @Test
  void logicalClockUnderByzantineFaultsIsRefusedWithThePapersReason() {
    int code = run(new SimCommand(), "--protocol", "logical-clock", "--failure-model",
        "byzantine", "--seed", "1");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("logical-clock tolerates fail-stop faults only")
        .contains("paper §3.2.1").contains("the simulator runs pbft, real-time, replica-uid");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void abcastUnderByzantineFaultsIsRefusedBecauseItTrustsItsCoordinator() {
    int code = run(new SimCommand(), "--protocol", "replica-uid-abcast", "--failure-model",
        "byzantine", "--seed", "1");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("abcast is fail-stop only (its coordinator is trusted");
  }

  @Test
  void aReplicaCountTheSchemeCannotRunIsRefusedWithTheReason() {
    assertThat(run(new SimCommand(), "--protocol", "replica-uid", "--replicas", "65", "--seed",
        "1")).isEqualTo(2);
    assertThat(err.toString()).contains("--replicas 65 with --protocol replica-uid:"
        + " replica-uid supports at most 64 replicas");
    assertThat(run(new SimCommand(), "--protocol", "real-time", "--failure-model", "byzantine",
        "--replicas", "0", "--seed", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("replicas must be at least 1, was 0");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void theReplayCommandNamesTheProtocolAndTheFailureModel() {
    SimCommand command = new SimCommand();
    new CommandLine(command).parseArgs("--protocol", "replica-uid", "--failure-model",
        "byzantine", "--seeds", "9", "--replicas", "5", "--fault-ms", "500");
    assertThat(command.replayCommand(7)).isEqualTo("./lockstep sim --protocol replica-uid"
        + " --failure-model byzantine --seed 7 --replicas 5 --fault-ms 500");
  }

  /**
   * A seed of a Byzantine scheme chooses its liars and their lies; replaying it gives the same
   * run, and so does its timeline (whose run has the same liars).
   */
  @Test
  void aByzantineSchemesSeedReplaysIdenticallyWithOrWithoutItsTimeline(@TempDir Path dir) {
    String[] args = {"--protocol", "real-time", "--failure-model", "byzantine", "--seed", "4",
        "--fault-ms", "1000"};
    assertThat(run(new SimCommand(), args)).as(out.toString()).isZero();
    String first = digestLine(out.toString());
    assertThat(first).matches("digest [0-9a-f]{64}");
    out.getBuffer().setLength(0);
    Path page = dir.resolve("seed4.html");
    String[] withTimeline = Stream.concat(Arrays.stream(args),
        Stream.of("--timeline", page.toString())).toArray(String[]::new);
    assertThat(run(new SimCommand(), withTimeline)).as(out.toString()).isZero();
    assertThat(digestLine(out.toString())).isEqualTo(first);
    assertThat(page).isNotEmptyFile();
  }
}
