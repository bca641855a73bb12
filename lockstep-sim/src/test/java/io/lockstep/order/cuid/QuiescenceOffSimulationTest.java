package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.NetworkModel;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A search for the counterexample with client quiescence switched off in the simulator: a
 * replica answers a request before every replica has accepted it, the client goes on, and
 * crashes then leave the survivors ordering differently from what was answered. Opt-in
 * ({@code -Dlockstep.quiescence.search=true}), because it finds nothing: with a uid counting
 * every held candidate (failed replicas' included), the violation needs the replica with the
 * largest candidate and the answering replica to fail before proposing for the client's next
 * request while the survivors have not accepted the first, which the simulator's fault
 * schedules did not produce in 600 seeds of 3 and 4 replicas, 5 or 10 clients, 1 to 3 keys and
 * two network tails. (Its one earlier counterexample, seed 69 of 3 replicas, went through a
 * failed replica's candidate that a late declarer ignored: a different bug, now fixed.) The
 * negative test that runs by default is the scripted {@code QuiescenceCounterexampleTest}
 * (lockstep-classic), which fails with quiescence off and passes with it on.
 */
@EnabledIfSystemProperty(named = "lockstep.quiescence.search", matches = "true")
class QuiescenceOffSimulationTest {
  private static final int SEEDS = Integer.getInteger("lockstep.quiescence.seeds", 600);

  @Test
  void answeringBeforeEveryReplicaAcceptedIsCaught() {
    List<SimOptions> tried = List.of(ClassicSchemes.options(2),
        ClassicSchemes.options(2).withClients(10).withKeys(1),
        ClassicSchemes.options(3).withClients(10).withKeys(1)
            .withNetwork(new NetworkModel(3_000, 5_000, 0.0, 0.0)));
    List<String> found = new ArrayList<>();
    for (SimOptions options : tried) {
      for (long seed = 1; seed <= SEEDS && found.isEmpty(); seed++) {
        SimResult result = Simulation.run(options, seed, ClassicSchemes.replicaUid(false));
        if (!result.ok() && isOrderViolation(result.failure())) {
          found.add("seed " + seed + ": " + result.failure());
        }
      }
    }
    assertThat(found).isNotEmpty();
  }

  /** Liveness failures do not count: the violation sought is O1/O2's. */
  private static boolean isOrderViolation(String failure) {
    return failure.contains("committed entry changed") || failure.contains("divergence")
        || failure.contains("linearizability");
  }
}
