package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agreed time under wrong clocks (bounded by a quorum of clocks): with up to t replicas' wall
 * clocks an hour off either way, besides every other fault, every time a leader stamps stays within
 * the correct clocks' range ({@link AgreedTimeCheck}), and the runs stay linearizable and live. The
 * liveness phase is long enough that the lower bound is enforced too, with the wrong clocks still
 * wrong.
 */
class WrongClockSimulationTest {
  /** The trace's summary when no settled stamp was checked against the lower bound. */
  private static final Pattern NOT_ENFORCED = Pattern.compile(" below=-$", Pattern.MULTILINE);

  @TempDir
  Path traces;

  /**
   * The standard mix (disk faults too) with clock faults eight times as often, and a long
   * liveness phase.
   */
  private static SimOptions options(int replicas) {
    return SimOptions.defaults().withReplicas(replicas)
        .withFaults(new FaultRates(400, 1_000, 4, 4, 2, 2, 1, 8, 1, 2, 0.3, 0.2, false))
        .withFaultPhaseMillis(5_000)
        .withLivenessOpsPerClient(100);
  }

  /** Runs the seeds; returns their problems, and counts the seeds with a wrong clock. */
  private List<String> run(int replicas, long from, long to, int[] withWrongClock)
      throws IOException {
    List<String> problems = new ArrayList<>();
    for (long seed = from; seed <= to; seed++) {
      Path trace = traces.resolve(replicas + "-" + seed + ".txt");
      SimResult result = Simulation.run(options(replicas).withTraceFile(trace), seed);
      String text = Files.readString(trace);
      withWrongClock[0] += text.contains(" clockwrong ") ? 1 : 0;
      if (!result.ok()) {
        problems.add("seed " + seed + ": " + result.failure());
      } else if (NOT_ENFORCED.matcher(text).find()) {
        problems.add("seed " + seed + ": the lower bound was never enforced");
      }
    }
    return problems;
  }

  @Test
  void oneWrongClockAmongThreeNeverMovesAgreedTimeOutOfTheCorrectRange() throws IOException {
    int[] wrong = {0};
    assertThat(run(3, 1, 20, wrong)).isEmpty();
    assertThat(wrong[0]).as("seeds in which a clock went an hour wrong").isGreaterThanOrEqualTo(15);
  }

  @Test
  void twoWrongClocksAmongFiveNeverMoveAgreedTimeOutOfTheCorrectRange() throws IOException {
    int[] wrong = {0};
    assertThat(run(5, 101, 110, wrong)).isEmpty();
    assertThat(wrong[0]).as("seeds in which a clock went an hour wrong").isGreaterThanOrEqualTo(6);
  }
}
