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
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * Whole-cluster simulation of the PBFT-class protocol: four replicas (t = 1), one of them
 * Byzantine in one of the {@link ByzantineBehaviour}s, under partitions, loss, duplication,
 * delay, pauses and clock jumps; the simulator's checkers (committed entries never change,
 * state digests agree, client histories linearizable, liveness after healing) must hold.
 */
class PbftSimulationTest {
  /** Seeds in the default build; {@code ./lockstep sim --protocol pbft} runs thousands. */
  private static final int SEEDS = 200;
  /**
   * Seeds the old reply rule gets to show a stale read before the test gives up. The stale read
   * needs a write acknowledged on t+1 replies to meet a reader at replicas that have not
   * executed it, which about one seed in 40 lines up (51, 76, 101 and 107 of the first 160);
   * which seeds do moves with any change of timing (the start-up view change that the first
   * tick no longer forces, votes that wait for their state's fsync), so 60 seeds were once
   * enough and once not. The loop stops at the first catch, so the bound costs nothing while
   * the rule is caught early. It starts at {@link #STALE_FROM}: seed 37 caught it when last
   * measured, and the thirty seeds before it caught nothing and took most of the test's time.
   */
  private static final int STALE_SEEDS = 150;
  /** The first seed the old reply rule gets. */
  private static final int STALE_FROM = 31;
  /** Seeds with a power loss (every replica crashed at once) in the default build. */
  private static final int POWER_LOSS_SEEDS = 30;
  /**
   * Seeds of the main run whose replicas sign with real Ed25519, one per behaviour (seed s's
   * liar behaves as the behaviour at s mod their number), so the production signer stays in
   * the loop; the other seeds of the many-seed tests sign with {@code MacSigners} (64-byte
   * HMACs, the same checks), because Ed25519 took two thirds of this class's CPU. The tests
   * that run until a broken variant is caught keep Ed25519 throughout: they stop early.
   */
  private static final int ED25519_SEEDS = ByzantineBehaviour.values().length;

  @Test
  void fourCorrectReplicasWithoutFaultsServeEveryClient() {
    SimOptions options = PbftSimulation.options().withFaults(FaultRates.none());
    SimResult result = PbftSimulation.run(options, 1);
    assertThat(result.ok()).as(result.toString()).isTrue();
    assertThat(result.opsOk()).isGreaterThan(50);
  }

  @Test
  void aSeedReplaysByteForByteWithAByzantineReplica() {
    SimResult first = PbftSimulation.run(quick(), 42, ByzantineBehaviour.EQUIVOCATE);
    SimResult again = PbftSimulation.run(quick(), 42, ByzantineBehaviour.EQUIVOCATE);
    assertThat(again.traceDigest()).isEqualTo(first.traceDigest());
    assertThat(again.events()).isEqualTo(first.events());
  }

  @Test
  void oneByzantineReplicaOfFourNeverBreaksSafetyOrLiveness() {
    SimOptions options = quick();
    ByzantineBehaviour[] behaviours = ByzantineBehaviour.values();
    List<String> failures = new ArrayList<>();
    long ops = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      ByzantineBehaviour behaviour = behaviours[(int) (seed % behaviours.length)];
      SimResult result = PbftSimulation.run(options, seed, signing(seed <= ED25519_SEEDS),
          behaviour);
      ops += result.opsOk();
      if (!result.ok()) {
        failures.add("seed " + seed + " " + behaviour + ": " + result.failure());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ops).isGreaterThan(SEEDS * 20L);
  }

  /**
   * A primary that forges requests ({@link ByzantineBehaviour#CORRUPT} adds a made-up request to
   * its pre-prepares, among its other corruptions): the liar is replica {@code seed mod 4}, so
   * these seeds make the primary of view 0 the liar. Backups refuse requests they do not hold
   * from the client itself and every checker holds (linearizability included); that the view
   * changes is shown by {@code ForgedRequestTest}. The first seed signs with Ed25519, the
   * others with MacSigners.
   */
  @Test
  void aPrimaryThatForgesRequestsBreaksNoChecker() {
    List<String> failures = new ArrayList<>();
    for (long seed = 4; seed <= 80; seed += 4) {
      SimResult result = PbftSimulation.run(quick(), seed, signing(seed == 4),
          ByzantineBehaviour.CORRUPT);
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    assertThat(failures).isEmpty();
  }

  /**
   * Power loss: every replica crashes at once in the middle of the fault phase (on top of its
   * crashes of single replicas) and restarts from its disk; the checkers (entries never change,
   * digests agree, histories linearizable, liveness after healing) must hold on every seed.
   * The first seed signs with Ed25519 (signed checkpoints and view changes read back from
   * disk), the others with MacSigners.
   */
  @Test
  void aWholeClusterCrashedAtOnceRestartsFromItsDisksAndLosesNothing() {
    assertEveryPowerLossLosesNothing(seed -> PbftSimulation.runWithPowerLoss(quick(), seed,
        signing(seed == 1), powerLossAt(seed), powerLossFor(seed)));
  }

  /**
   * The same power loss with one Byzantine replica among the four (each behaviour in turn, as
   * the mixed seeds pick it): what the correct replicas wrote must still carry every
   * acknowledged write and every executed batch through it.
   */
  @Test
  void aPowerLossWithALiarAmongTheReplicasLosesNothing() {
    assertEveryPowerLossLosesNothing(seed -> PbftSimulation.runMixedWithPowerLoss(quick(), seed,
        signing(seed == 1), powerLossAt(seed), powerLossFor(seed)));
  }

  private static void assertEveryPowerLossLosesNothing(LongFunction<SimResult> runSeed) {
    List<String> failures = new ArrayList<>();
    long ops = 0;
    for (long seed = 1; seed <= POWER_LOSS_SEEDS; seed++) {
      SimResult result = runSeed.apply(seed);
      ops += result.opsOk();
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(ops).isGreaterThan(POWER_LOSS_SEEDS * 20L);
  }

  /** The same power loss, with replicas that start from empty storage, loses acknowledged data. */
  @Test
  void replicasThatForgetTheirDisksAreCaughtAfterAPowerLoss() {
    CoordinationFactory forgetful = new CoordinationFactory() {
      private final CoordinationFactory real = PbftSimulation.factory();

      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered,
          long seed) {
        return real.create(id, members, Recovered.EMPTY, seed);
      }

      @Override
      public FailureModel failureModel() {
        return FailureModel.BYZANTINE;
      }
    };
    List<String> caught = new ArrayList<>();
    for (long seed = 1; seed <= POWER_LOSS_SEEDS && caught.isEmpty(); seed++) {
      SimResult result = PbftSimulation.runWithPowerLoss(quick(), seed, forgetful,
          powerLossAt(seed), powerLossFor(seed));
      if (!result.ok()) {
        caught.add(result.failure());
      }
    }
    assertThat(caught).as("a cluster restarted empty was never caught").isNotEmpty();
  }

  /** Within the fault phase, after some writes completed. */
  private static long powerLossAt(long seed) {
    return 400 + seed * 53 % 900;
  }

  /** How long the replicas stay down. */
  private static long powerLossFor(long seed) {
    return 20 + seed * 37 % 400;
  }

  @Test
  void commitCertificatesOfTwoTInsteadOfTwoTPlusOneAreCaughtByTheCheckers() {
    SimOptions options = quick();
    CoordinationFactory broken = weakened();
    List<String> caught = new ArrayList<>();
    for (long seed = 1; seed <= 40 && caught.isEmpty(); seed++) {
      SimResult result = PbftSimulation.run(options, seed, broken, ByzantineBehaviour.EQUIVOCATE);
      if (!result.ok()) {
        caught.add(result.failure());
        SimResult correct = PbftSimulation.run(options, seed, ByzantineBehaviour.EQUIVOCATE);
        assertThat(correct.ok()).as("the correct protocol on seed " + seed + ": "
            + correct.failure()).isTrue();
      }
    }
    assertThat(caught).as("an equivocating primary with quorums of 2t was never caught")
        .isNotEmpty();
    // Caught by the simulator's monitor (an entry changed, states diverged, a history is not
    // linearizable) or by one of the protocol's own checks, whichever sees it first: one
    // sequence number never gets two commit certificates, and a new view never orders another
    // batch where a replica already executed one ("a committed batch was lost"). The second is
    // this very bug seen at the view change: with 2t commits a batch commits at a replica
    // without t+1 correct replicas having prepared it, so the 2t+1 view changes of the next
    // view need not carry it, and the new primary fills its sequence number with another batch;
    // the replica that executed it would diverge on its next step.
    assertThat(caught.get(0)).containsAnyOf("committed entry changed", "divergence",
        "linearizability", "two commit certificates", "a committed batch was lost");
  }

  @Test
  void writesCompletingOnTPlusOneRepliesLetAStaleReaderMakeAStaleRead() {
    // Without crashes: the seeds that show a stale read were found under this schedule, and a
    // crash is not what the stale reader needs.
    SimOptions options = quick().withFaults(
        new FaultRates(400, 1_000, 0, 4, 2, 2, 1, 1, 1, 0, 0.3, 0.2, false));
    CoordinationFactory oldRule = writesOnTPlusOne();
    List<String> caught = new ArrayList<>();
    for (long seed = STALE_FROM; seed < STALE_FROM + STALE_SEEDS && caught.isEmpty(); seed++) {
      SimResult result = PbftSimulation.run(options, seed, oldRule, ByzantineBehaviour.STALE_READS);
      if (!result.ok()) {
        caught.add("seed " + seed + ": " + result.failure());
        SimResult fixed = PbftSimulation.run(options, seed, ByzantineBehaviour.STALE_READS);
        assertThat(fixed.ok()).as("2t+1 write replies on seed " + seed + ": "
            + fixed.failure()).isTrue();
      }
    }
    assertThat(caught).as("a stale reader was never caught with writes on t+1 replies")
        .isNotEmpty();
    assertThat(caught.get(0)).contains("linearizab");
  }

  /** The protocol with its default settings, signing with Ed25519 or else MacSigners. */
  private static CoordinationFactory signing(boolean ed25519) {
    return PbftSimulation.factory(c -> c, ThroughputPolicy.aardvark(), ed25519);
  }

  /** A short fault phase keeps 200 seeds fast; every kind of fault still strikes. */
  private static SimOptions quick() {
    return PbftSimulation.options().withFaultPhaseMillis(1_500).withLivenessOpsPerClient(2);
  }

  /**
   * The correct protocol with the old client rule: a command completes on t+1 identical replies
   * (while reads still need 2t+1 matching answers at the replicas' current states).
   */
  private static CoordinationFactory writesOnTPlusOne() {
    CoordinationFactory correct = PbftSimulation.factory();
    return new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        return correct.create(id, members, recovered, seed);
      }

      @Override
      public FailureModel failureModel() {
        return FailureModel.BYZANTINE;
      }

      @Override
      public int commandQuorum(int t) {
        return t + 1;
      }
    };
  }

  /** Quorums of 2t: prepared on 2t−1 prepares, committed on 2t commits. */
  private static CoordinationFactory weakened() {
    CoordinationFactory correct = PbftSimulation.factory();
    return new CoordinationFactory() {
      @Override
      public Coordination create(int id, List<Integer> members, Recovered recovered, long seed) {
        Pbft pbft = (Pbft) correct.create(id, members, recovered, seed);
        return new Pbft(pbft.config, new Quorum(members.size(), 1, 2));
      }

      @Override
      public FailureModel failureModel() {
        return FailureModel.BYZANTINE;
      }
    };
  }
}
