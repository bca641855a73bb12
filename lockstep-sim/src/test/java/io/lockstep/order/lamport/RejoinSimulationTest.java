package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.clocks.RealTimeClock;
import io.lockstep.order.cuid.UidChoice;
import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Crashed replicas of the paper's clock schemes and of replica-uid (both variants) restart and
 * rejoin (paper §7.2) under the simulator: t+1 fail-stop replicas, crashes followed by restarts
 * (at most t down or rejoining at once), duplicated and reordered messages. Every seed's history
 * must be linearizable, the replicas' digests must agree (a rejoined replica's included) and
 * every client must finish. The rejoined replica that skips the §7.2.1 hold is caught, and so is
 * replica-uid without its admission boundary.
 */
class RejoinSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.seeds", 200);
  /** Replica-uid seeds in the default run; more with {@code -Dlockstep.uid.rejoin.seeds}. */
  static final int UID_SEEDS = Integer.getInteger("lockstep.uid.rejoin.seeds", 50);

  /**
   * Failed seeds (the run stops at the first with {@code stopAtFailure}), how many replicas
   * restarted, and how many of those got their state back (stopped repairing).
   */
  private record Outcome(List<String> failures, int restarts, int rejoined) {}

  private static Outcome run(CoordinationFactory factory, int seeds, boolean stopAtFailure) {
    return run(factory, seeds, stopAtFailure, 1);
  }

  /** As above, with t + 1 replicas. */
  private static Outcome run(CoordinationFactory factory, int seeds, boolean stopAtFailure,
      int t) {
    List<String> failures = new ArrayList<>();
    int[] counts = new int[2];
    CoordinationFactory counting = new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        Coordination inner = factory.create(id, members, recovered, seed);
        if (recovered.hardState() == null) {
          return inner;
        }
        counts[0]++; // it ran before: a restart
        return new ForwardingCoordination(inner) {
          private boolean joining = true;

          @Override
          public void step(Input input) {
            super.step(input);
            if (joining && !repairing()) {
              joining = false;
              counts[1]++;
            }
          }
        };
      }

      @Override
      public boolean failStop() {
        return factory.failStop();
      }

      @Override
      public boolean rejoins() {
        return factory.rejoins();
      }
    };
    for (long seed = 1; seed <= seeds && !(stopAtFailure && !failures.isEmpty()); seed++) {
      SimResult result = Simulation.run(ClassicSchemes.options(t), seed, counting);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    return new Outcome(failures, counts[0], counts[1]);
  }

  @Test
  void logicalClockReplicasThatRestartRejoinAndEverySeedIsLinearizableAndAgrees() {
    Outcome o = run(ClassicSchemes.logicalClockRejoining(true), SEEDS, false);
    assertThat(o.failures()).isEmpty();
    assertThat(o.restarts()).as("replicas that restarted").isGreaterThan(SEEDS / 4);
    assertThat(o.rejoined()).as("restarted replicas that got their state back")
        .isGreaterThan(o.restarts() * 9 / 10);
  }

  @Test
  void logicalClockReplicasWhoseDiskIsWipedRejoinWithNoStateAndEverySeedIsLinearizable() {
    Outcome o = run(ClassicSchemes.logicalClockRejoiningWiped(), SEEDS / 4, false);
    assertThat(o.failures()).isEmpty();
    assertThat(o.restarts()).as("replicas that restarted with an empty disk")
        .isGreaterThan(SEEDS / 16);
    assertThat(o.rejoined()).as("restarted replicas that got the state back")
        .isGreaterThan(o.restarts() * 9 / 10);
  }

  @Test
  void realTimeReplicasThatRestartRejoinAndEverySeedIsLinearizableAndAgrees() {
    Outcome o = run(ClassicSchemes.realTimeRejoining(RealTimeClock.Test.COMBINED), SEEDS, false);
    assertThat(o.failures()).isEmpty();
    assertThat(o.rejoined()).isGreaterThan(SEEDS / 4);
  }

  @Test
  void realTimeTestIOnlyRejoinsToo() {
    Outcome o = run(ClassicSchemes.realTimeRejoining(RealTimeClock.Test.I), SEEDS / 4, false);
    assertThat(o.failures()).isEmpty();
    assertThat(o.rejoined()).isPositive();
  }

  @Test
  void aRejoinedReplicaThatDoesNotHoldDirectBroadcastsIsCaught() {
    assertThat(run(ClassicSchemes.logicalClockRejoining(false), SEEDS, true).failures())
        .as("a seed where the checker caught the skipped hold").isNotEmpty();
  }

  @Test
  void replicaUidReplicasThatRestartRejoinAndEverySeedIsLinearizableAndAgrees() {
    Outcome o = run(ClassicSchemes.replicaUidRejoining(true, false), UID_SEEDS, false);
    assertThat(o.failures()).isEmpty();
    assertThat(o.restarts()).as("replicas that restarted").isGreaterThan(UID_SEEDS / 4);
    assertThat(o.rejoined()).as("restarted replicas that got their state back")
        .isGreaterThan(o.restarts() * 9 / 10);
  }

  @Test
  void replicaUidWithThreeReplicasAndWipedDisksRejoinsToo() {
    Outcome o = run(ClassicSchemes.replicaUidRejoining(true, true), UID_SEEDS / 2, false, 2);
    assertThat(o.failures()).isEmpty();
    assertThat(o.rejoined()).as("wiped replicas that got the state back")
        .isGreaterThan(UID_SEEDS / 8);
  }

  @Test
  void abcastReplicasThatRestartRejoinAndEverySeedIsLinearizableAndAgrees() {
    Outcome o = run(ClassicSchemes.replicaUidRejoining(true, false, UidChoice.ABCAST),
        UID_SEEDS, false);
    assertThat(o.failures()).isEmpty();
    assertThat(o.restarts()).as("replicas that restarted").isGreaterThan(UID_SEEDS / 4);
    assertThat(o.rejoined()).as("restarted replicas that got their state back")
        .isGreaterThan(o.restarts() * 9 / 10);
  }

  @Test
  void abcastWithThreeReplicasAndWipedDisksRejoinsToo() {
    Outcome o = run(ClassicSchemes.replicaUidRejoining(true, true, UidChoice.ABCAST),
        UID_SEEDS / 2, false, 2);
    assertThat(o.failures()).isEmpty();
    assertThat(o.rejoined()).as("wiped replicas that got the state back")
        .isGreaterThan(UID_SEEDS / 8);
  }

  @Test
  void replicaUidWithoutTheBoundaryIsCaught() {
    List<String> failures = run(ClassicSchemes.replicaUidRejoining(false, false), UID_SEEDS * 4,
        true, 2).failures();
    assertThat(failures).as("a seed where the checker caught uids that waited for the joiner at"
        + " some replicas and not at others").isNotEmpty();
  }
}
