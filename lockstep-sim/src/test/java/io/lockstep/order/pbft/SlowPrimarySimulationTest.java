package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Recovered;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.PbftSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Aardvark's slow primary in the simulator ({@link ByzantineBehaviour#SLOW_PRIMARY}): view 0's
 * primary holds every pre-prepare just inside the age bound backups suspect it by, so without
 * the throughput check it keeps its view for the whole run while throughput collapses, and with
 * it the backups replace it.
 */
class SlowPrimarySimulationTest {
  /** Replica seed mod 4 misbehaves: seed 4 makes it replica 0, view 0's primary. */
  private static final long SEED = 4;

  @Test
  void withoutTheThroughputCheckTheSlowPrimaryKeepsItsViewAndThroughputCollapses() {
    Run slow = run(ThroughputPolicy.off(), ByzantineBehaviour.SLOW_PRIMARY);
    Run honest = run(ThroughputPolicy.off(), null);
    assertThat(slow.result.ok()).as(slow.result.toString()).isTrue();
    assertThat(slow.views()).as("every replica stays in view 0").containsOnly(0L);
    assertThat(slow.result.opsOk()).as("ops against %d with an honest primary",
        honest.result.opsOk()).isLessThan(honest.result.opsOk() / 5);
  }

  /**
   * Judged over the 20 seeds whose slow replica is view 0's primary (4, 8, ... 80), not one: in
   * the first view the check has no history, so its expectation starts from 0.9 of what this
   * primary achieved and rises 1 % per period it meets, and whether two backups strike three
   * periods in a row within 6 s depends on how the slow primary's 8 to 11 requests per period
   * fall: 12 of these 20 are replaced in 6 s, and a change to commit timing elsewhere can flip
   * any single one of them.
   */
  @Test
  void theThroughputCheckReplacesTheSlowPrimary() {
    int replaced = 0;
    long opsChecked = 0;
    long opsUnchecked = 0;
    for (long seed = SEED; seed <= 20 * SEED; seed += SEED) {
      Run checked = run(ThroughputPolicy.aardvark(), ByzantineBehaviour.SLOW_PRIMARY, seed);
      assertThat(checked.result.ok()).as("seed " + seed + ": " + checked.result).isTrue();
      boolean left = checked.replicas.entrySet().stream()
          .allMatch(r -> r.getKey() == 0 || r.getValue().view() > 0);
      if (left) {
        replaced++;
        assertThat(checked.replicas.values()).as("seed " + seed).anySatisfy(pbft ->
            assertThat(pbft.viewChanges.lastReason).contains("requests/s"));
      }
      opsChecked += checked.result.opsOk();
      opsUnchecked += run(ThroughputPolicy.off(), ByzantineBehaviour.SLOW_PRIMARY, seed)
          .result.opsOk();
    }
    assertThat(replaced).as("seeds whose slow primary was replaced").isGreaterThanOrEqualTo(10);
    assertThat(opsChecked).as("ops against %d without the check", opsUnchecked)
        .isGreaterThan(2 * opsUnchecked);
  }

  /** A fault-free 6 s run of {@link #SEED}; {@code behaviour} null for every replica correct. */
  private static Run run(ThroughputPolicy policy, ByzantineBehaviour behaviour) {
    return run(policy, behaviour, SEED);
  }

  private static Run run(ThroughputPolicy policy, ByzantineBehaviour behaviour, long seed) {
    SimOptions options = PbftSimulation.options().withFaults(FaultRates.none())
        .withFaultPhaseMillis(6_000);
    Run run = new Run();
    CoordinationFactory factory = run.capture(PbftSimulation.factory(c -> c, policy));
    run.result = behaviour == null ? io.lockstep.sim.Simulation.run(options, seed, factory)
        : PbftSimulation.run(options, seed, factory, behaviour);
    return run;
  }

  /** One run's result and its replicas' protocol objects as they ended. */
  private static final class Run {
    final Map<Integer, Pbft> replicas = new TreeMap<>();
    SimResult result;

    CoordinationFactory capture(CoordinationFactory factory) {
      return new CoordinationFactory() {
        @Override
        public Coordination create(int id, java.util.List<Integer> members, Recovered recovered,
            long seed) {
          Pbft pbft = (Pbft) factory.create(id, members, recovered, seed);
          replicas.put(id, pbft);
          return pbft;
        }

        @Override
        public FailureModel failureModel() {
          return factory.failureModel();
        }
      };
    }

    java.util.Collection<Long> views() {
      return replicas.values().stream().map(Pbft::view).toList();
    }
  }
}
