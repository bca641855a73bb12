package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ByzantineBehaviour;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.PbftSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import org.junit.jupiter.api.Test;

/** Whole-cluster simulation of the PBFT-class protocol under faults and Byzantine replicas. */
class PbftSimulationTest {
  @Test
  void fourCorrectReplicasWithoutFaultsServeEveryClient() {
    SimOptions options = PbftSimulation.options().withFaults(FaultRates.none());
    for (long seed = 1; seed <= 3; seed++) {
      SimResult result = PbftSimulation.run(options, seed);
      assertThat(result.ok()).as(result.toString()).isTrue();
      assertThat(result.opsOk()).isGreaterThan(50);
    }
  }
}
