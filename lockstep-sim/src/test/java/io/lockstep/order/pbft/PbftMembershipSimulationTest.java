package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Recovered;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.PbftSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Replacing replicas of a PBFT cluster in the simulator: four replicas (t = 1) and two spares;
 * an operator replaces one replica at a time (the Byzantine one included) by ordered
 * {@code SetReplicas} commands while one replica misbehaves in each of the
 * {@link ByzantineBehaviour}s in turn, under partitions, loss, crashes and clock jumps. The
 * simulator's checkers (state digests agree, histories linearizable, liveness after healing,
 * every replica past a change's stated position holds its set) must hold on every seed.
 */
class PbftMembershipSimulationTest {
  /**
   * Seeds of the many-seed sweep, in total: the default build runs the first
   * {@link #DEFAULT_SEEDS} and {@link #ONCE_FAILED}, {@code -Plong} the rest. Another count
   * with {@code -Dlockstep.pbft.membership.seeds=N}.
   */
  private static final int SEEDS = Integer.getInteger("lockstep.pbft.membership.seeds", 200);
  /**
   * Eight seeds per behaviour. The whole sweep took about 175 s of one core on a loaded
   * machine, the largest share of the simulator's default run; {@code PbftSimulationTest}
   * already runs 200 seeds of every behaviour without replacements.
   */
  private static final int DEFAULT_SEEDS = 64;
  /** Seeds of the sweep above the default ones that once found a bug (see ARCHITECTURE). */
  private static final Set<Long> ONCE_FAILED = Set.of(105L, 114L, 170L);
  /** Seeds the at-once rule gets before the test gives up. */
  private static final int AT_ONCE_SEEDS = 60;

  /** The cycle the sweep always ran, one behaviour per seed. */
  private static final ByzantineBehaviour[] BEHAVIOURS = {ByzantineBehaviour.SILENT,
      ByzantineBehaviour.EQUIVOCATE, ByzantineBehaviour.CORRUPT, ByzantineBehaviour.REPLAY,
      ByzantineBehaviour.SLOW, ByzantineBehaviour.SLOW_PRIMARY, ByzantineBehaviour.WRONG_REPLIES,
      ByzantineBehaviour.STALE_READS};

  static SimOptions options() {
    return PbftSimulation.membershipOptions(2, 3).withFaultPhaseMillis(1_500)
        .withLivenessOpsPerClient(2);
  }

  /**
   * The first seed of each behaviour signs with real Ed25519, so the production signer stays in
   * the loop; the others with {@code MacSigners} (64-byte HMACs, the same checks), because
   * Ed25519 took most of this class's CPU. Seeds paired with other behaviours that once failed
   * run in the tests below; {@code PbftSimulationTest} runs every behaviour.
   */
  @Test
  void replacingReplicasWhileOneIsByzantineKeepsEverySeedCorrect() {
    List<Long> seeds = new ArrayList<>();
    for (long seed = 1; seed <= Math.min(DEFAULT_SEEDS, SEEDS); seed++) {
      seeds.add(seed);
    }
    ONCE_FAILED.stream().filter(s -> s <= SEEDS).sorted().forEach(seeds::add);
    sweep(seeds);
  }

  /** The rest of the sweep: {@code -Plong}. */
  @Tag("long")
  @Test
  void replacingReplicasWhileOneIsByzantineKeepsEveryFurtherSeedCorrect() {
    List<Long> seeds = new ArrayList<>();
    for (long seed = DEFAULT_SEEDS + 1; seed <= SEEDS; seed++) {
      if (!ONCE_FAILED.contains(seed)) {
        seeds.add(seed);
      }
    }
    sweep(seeds);
  }

  /** Runs {@code seeds}: each must keep every checker, and replacements and writes happen. */
  private static void sweep(List<Long> seeds) {
    CoordinationFactory signed = PbftSimulation.membershipFactory(c -> c);
    CoordinationFactory macs = PbftSimulation.membershipFactory(c -> c, false);
    List<String> failures = new ArrayList<>();
    long replaced = 0;
    long ops = 0;
    for (long seed : seeds) {
      ByzantineBehaviour behaviour = BEHAVIOURS[(int) (seed % BEHAVIOURS.length)];
      SimResult result = PbftSimulation.run(options(), seed,
          seed <= BEHAVIOURS.length ? signed : macs, behaviour);
      replaced += result.replaced();
      ops += result.opsOk();
      if (!result.ok()) {
        failures.add("seed " + seed + " " + behaviour + ": " + result.failure());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(replaced).as("replica-set changes ordered").isGreaterThan(seeds.size());
    assertThat(ops).isGreaterThan(seeds.size() * 20L);
  }

  /**
   * A liar whose checkpoint votes name a digest its state does not have: a checkpoint is then
   * stable only once every other member votes for it. Seed 3 misses the liveness bound when a
   * lagging replica may not execute a batch that t+1 members report executed (switched off by
   * hand, it fails); seed 93 missed it in earlier runs and passes without that rule today.
   */
  @Test
  void aReplicaVotingWrongCheckpointDigestsWhileReplicasAreReplacedKeepsEveryChecker() {
    CoordinationFactory factory = PbftSimulation.membershipFactory(c -> c);
    for (long seed : new long[] {3, 93}) {
      SimResult result = PbftSimulation.run(options(), seed, factory,
          ByzantineBehaviour.WRONG_CHECKPOINT_DIGEST);
      assertThat(result.ok()).as("seed %d: %s", seed, result.failure()).isTrue();
    }
  }

  /**
   * Seed 163 with an equivocating replica (3) missed the liveness bound: replica 2, primary of
   * view 1, crashed and restarted from its state at checkpoint 28, above its stable checkpoint
   * 24 (the votes for 28 were not all in), and dropped the commits it had journaled for 25 to
   * 29 (its window was empty until 28 became stable). Replica 4 had committed 26 to 29 but held
   * only two commits of view 1 for 25, and 2's was the third; 28 never became stable (only 1
   * and 2 had executed it), 1 had nothing left to time out on, and 4 changed view alone. A
   * restarted replica now keeps and repeats what it journaled in its stable checkpoint's window
   * (RecoveryTest has the scripted case).
   */
  @Test
  void aRestartedPrimaryAboveItsStableCheckpointWithAnEquivocatingReplicaKeepsEveryChecker() {
    SimResult result = PbftSimulation.run(options(), 163, PbftSimulation.membershipFactory(c -> c),
        ByzantineBehaviour.EQUIVOCATE);
    assertThat(result.ok()).as("seed 163: %s", result.failure()).isTrue();
  }

  /** The same runs with changes applied as soon as a stable state holds them are caught. */
  @Test
  void applyingAChangeAtOnceIsCaught() {
    CoordinationFactory real = PbftSimulation.membershipFactory(c -> c);
    CoordinationFactory atOnce = new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered,
          long seed) {
        Pbft pbft = (Pbft) real.create(id, members, recovered, seed);
        pbft.membership.rule = MembershipSchedule.Rule.AT_ONCE_FOR_TEST;
        return pbft;
      }

      @Override
      public FailureModel failureModel() {
        return FailureModel.BYZANTINE;
      }

      @Override
      public void arriving(int to, int from, io.lockstep.order.ProtocolMessage message) {
        real.arriving(to, from, message);
      }
    };
    List<String> caught = new ArrayList<>();
    for (long seed = 1; seed <= AT_ONCE_SEEDS && caught.isEmpty(); seed++) {
      SimResult result = PbftSimulation.runMixed(options(), seed, atOnce);
      if (!result.ok()) {
        caught.add("seed " + seed + ": " + result.failure());
      }
    }
    assertThat(caught).as("the at-once rule was never caught").isNotEmpty();
  }
}
