package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator steps replicas the way the server's loop does: inputs that arrive while a
 * replica is busy are stepped together through {@code Replica.stepAll} (X3), so the batched path
 * production runs is the one the checkers judge.
 */
class BatchingTest {
  @TempDir Path dir;

  private static long batches(List<String> trace) {
    return trace.stream().filter(line -> line.matches("\\d+ batch \\d+ inputs=\\d+")).count();
  }

  @Test
  void inputsArrivingWhileAReplicaIsBusyAreSteppedAsOneBatch() throws Exception {
    Path trace = dir.resolve("trace.txt");
    SimOptions options = SimOptions.defaults().withFaultPhaseMillis(2_000).withStepMicros(500)
        .withTraceFile(trace);
    SimResult result = Simulation.run(options, 7);
    assertThat(result.ok()).as(result.failure()).isTrue();
    assertThat(batches(Files.readAllLines(trace))).isPositive();
  }

  @Test
  void withoutBusyTimeOnlySimultaneousInputsBatch() throws Exception {
    Path busy = dir.resolve("busy.txt");
    Path idle = dir.resolve("idle.txt");
    SimOptions options = SimOptions.defaults().withFaultPhaseMillis(2_000);
    assertThat(Simulation.run(options.withStepMicros(500).withTraceFile(busy), 7).ok()).isTrue();
    assertThat(Simulation.run(options.withStepMicros(0).withTraceFile(idle), 7).ok()).isTrue();
    assertThat(batches(Files.readAllLines(idle)))
        .isLessThan(batches(Files.readAllLines(busy)));
  }
}
