package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Paper §7 (S20): clients removed and output devices added and removed as ordered changes at a
 * stated future position, under every fault the simulator has (crashes, partitions, loss, clock
 * jumps, disk faults, snapshots installed on laggards). Every run checks equal digests,
 * linearizable histories, and that every replica refused each removed client at exactly the
 * stated position ({@link ConfigurationCheck}); the wrong rule (a change acting when appended)
 * is caught.
 */
class ConfigurationSimulationTest {
  /** Three of five clients removed and six device changes in a 6 s fault phase. */
  static final SimOptions CHANGES = SimOptions.defaults().withFaultPhaseMillis(6_000)
      .withConfiguration(ConfigurationPlan.changes(3, 6));

  private static List<SimResult> runs(SimOptions options, long from, long to) {
    List<SimResult> results = new ArrayList<>();
    for (long seed = from; seed <= to; seed++) {
      results.add(Simulation.run(options, seed));
    }
    return results;
  }

  private static List<String> failures(List<SimResult> results) {
    return results.stream().filter(r -> !r.ok())
        .map(r -> "seed " + r.seed() + ": " + r.failure()).toList();
  }

  @Test
  void removedClientsAreRefusedAtTheStatedPositionOnEveryReplicaUnderFaults() {
    List<SimResult> results = runs(CHANGES, 1, 30);
    assertThat(failures(results)).isEmpty();
    // The check is not vacuous: changes were ordered and replicas refused removed clients.
    assertThat(results).allSatisfy(r -> assertThat(r.configurationChanges()).isPositive());
    assertThat(results.stream().mapToInt(SimResult::removalRefusals).sum()).isPositive();
    assertThat(results.stream().filter(r -> r.removalRefusals() > 0).count())
        .isGreaterThan(results.size() / 2);
  }

  @Test
  void aSeedReplaysExactly() {
    SimResult first = Simulation.run(CHANGES, 5);
    SimResult again = Simulation.run(CHANGES, 5);
    assertThat(again.traceDigest()).isEqualTo(first.traceDigest());
    assertThat(again.removalRefusals()).isEqualTo(first.removalRefusals());
  }

  @Test
  void changesActingWhenAppendedInsteadOfAtTheStatedPositionAreCaught() {
    SimOptions wrong = CHANGES.withConfiguration(CHANGES.configuration().appliedAtAppend());
    List<String> caught = failures(runs(wrong, 1, 10));
    assertThat(caught).hasSizeGreaterThanOrEqualTo(8);
    assertThat(caught).anySatisfy(f -> assertThat(f).containsAnyOf("divergence", "configuration"));
  }
}
