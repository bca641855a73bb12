package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.check.History;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class DeterminismTest {
  private static final SimOptions SHORT = SimOptions.defaults().withFaultPhaseMillis(3_000);

  private static String json(History history) {
    StringWriter out = new StringWriter();
    history.writeJsonLines(out);
    return out.toString();
  }

  @Test
  void sameSeedGivesTheSameTraceAndTheSameHistory() {
    SimResult first = Simulation.run(SHORT, 42);
    SimResult second = Simulation.run(SHORT, 42);
    assertThat(first.ok()).as(first.failure()).isTrue();
    assertThat(second.traceDigest()).isEqualTo(first.traceDigest());
    assertThat(json(second.history())).isEqualTo(json(first.history()));
    assertThat(second.events()).isEqualTo(first.events());
    assertThat(first.ops()).isGreaterThan(50);
  }

  @Test
  void differentSeedsGiveDifferentRuns() {
    SimResult one = Simulation.run(SHORT, 1);
    SimResult two = Simulation.run(SHORT, 2);
    assertThat(one.traceDigest()).isNotEqualTo(two.traceDigest());
    assertThat(json(one.history())).isNotEqualTo(json(two.history()));
  }

  @Test
  void theDigestCoversOptionsToo() {
    SimResult three = Simulation.run(SHORT, 9);
    SimResult five = Simulation.run(SHORT.withReplicas(5), 9);
    assertThat(five.ok()).as(five.failure()).isTrue();
    assertThat(three.traceDigest()).isNotEqualTo(five.traceDigest());
  }
}
