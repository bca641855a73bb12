package io.lockstep.sim;

import io.lockstep.order.MessageInterceptor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimOptionsTest {
  @Test
  void defaultsAreThreeReplicasToleratingOneCrash() {
    SimOptions options = SimOptions.defaults();
    assertThat(options.replicas()).isEqualTo(3);
    assertThat(options.t()).isEqualTo(1);
    assertThat(options.clients()).isEqualTo(5);
    assertThat(options.keys()).isEqualTo(3);
    assertThat(options.withReplicas(5).t()).isEqualTo(2);
  }

  @Test
  void tooFewReplicasForTheCrashBudgetAreRefused() {
    assertThatThrownBy(() -> SimOptions.defaults().withReplicasAndT(2, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicas >= t+1");
    SimOptions forFailStop = SimOptions.defaults().withReplicasAndT(4, 2);
    assertThatThrownBy(() -> Simulation.run(forFailStop, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicas >= 2t+1");
  }

  @Test
  void nonsenseValuesAreRefusedWithTheirName() {
    assertThatThrownBy(() -> SimOptions.defaults().withClients(0))
        .hasMessage("clients must be at least 1, was 0");
    assertThatThrownBy(() -> SimOptions.defaults().withOpDeadlineMillis(10))
        .hasMessageContaining("opDeadlineMillis");
    assertThatThrownBy(() -> new FaultRates(0, 1, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.1, false))
        .hasMessageContaining("at least 1 ms");
    assertThatThrownBy(() -> new NetworkModel(1, 1, 1.5, 0))
        .hasMessageContaining("lossRate");
  }

  @Test
  void interceptorsForUnknownReplicasAreRefused() {
    assertThatThrownBy(() -> Simulation.run(SimOptions.defaults(), 1, Simulation.raft(),
        java.util.Map.of(3, MessageInterceptor.HONEST)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replica 3");
  }
}
