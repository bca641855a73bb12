package io.lockstep.order.lamport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.stamped.HaltThenRejoin;
import io.lockstep.sim.ClassicSchemes;
import io.lockstep.sim.ClassicSchemes.Scheme;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replicas of the paper's fail-stop schemes stalled past the failure timeout (the simulator's
 * {@code SIGSTOP}-like pauses of about a second, against 300 ms) are declared failed while they
 * run; each halts once a peer tells it, and rejoins in process (paper §7.2). Two replicas, pauses
 * counted against t like crashes. Every seed's history must be linearizable, the digests must
 * agree, committed positions must never change and every client must finish; and the stall path
 * must actually run (replicas halt).
 */
class StallSimulationTest {
  static final int SEEDS = Integer.getInteger("lockstep.classic.stall.seeds", 50);

  @ParameterizedTest
  @EnumSource(Scheme.class)
  void replicasDeclaredFailedWhileTheyRunHaltAndRejoinAndEverySeedIsLinearizable(Scheme scheme) {
    List<String> failures = new ArrayList<>();
    List<HaltThenRejoin> built = new ArrayList<>();
    for (long seed = 1; seed <= SEEDS; seed++) {
      SimResult result = Simulation.run(ClassicSchemes.stallOptions(1), seed,
          ClassicSchemes.stalling(scheme, built::add));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    assertThat(failures).isEmpty();
    long halts = built.stream().mapToLong(HaltThenRejoin::halts).sum();
    assertThat(halts).as("replicas that halted because a peer suspected them")
        .isGreaterThan(SEEDS / 2);
    System.out.println(scheme + ": " + halts + " halts in " + SEEDS + " seeds");
  }
}
