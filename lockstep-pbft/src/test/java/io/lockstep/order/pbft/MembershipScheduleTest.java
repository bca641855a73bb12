package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.identity.Ed25519Signer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The boundary rule: a replica-set change takes effect at the last checkpoint before its
 * stated position, and replicas at different stable checkpoints agree on who orders each
 * sequence number both may order.
 */
class MembershipScheduleTest {
  /** K = 16, L = 64, max-batch 16: the simulator's defaults. */
  static final PbftConfig CONFIG = PbftConfig.defaults(0, List.of(0, 1, 2, 3), 1,
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(List.of(0, 1, 2, 3), 11)).get(0));
  static final TreeSet<Integer> REPLACED = new TreeSet<>(List.of(0, 1, 2, 4));

  @Test
  void aChangeTakesEffectAtTheLastCheckpointBeforeItsStatedPosition() {
    ReplicaSetHistory history =
        new ReplicaSetHistory(CONFIG, MembershipSchedule.requiredDistance(CONFIG));
    long at = history.order(81, REPLACED); // seq 6, in the checkpoint interval ending at 16
    assertThat(at).isEqualTo(81 + 64 * 16);
    assertThat(MembershipSchedule.boundary(CONFIG, at)).isEqualTo(64);
    history.runTo(200);
    var schedules = history.schedules(MembershipSchedule.Rule.AT_BOUNDARY);

    MembershipSchedule before = schedules.get(16L);
    assertThat(before.current().members()).containsExactly(0, 1, 2, 3);
    assertThat(before.windowEnd()).as("the window stops at the boundary").isEqualTo(64);
    assertThat(before.forSeq(64).members()).containsExactly(0, 1, 2, 3);
    assertThat(before.forSeq(65).members()).containsExactly(0, 1, 2, 4);
    MembershipSchedule after = schedules.get(64L);
    assertThat(after.current().members()).containsExactly(0, 1, 2, 4);
    assertThat(after.current().primary(3)).as("primaries over the new set").isEqualTo(4);
    assertThat(after.windowEnd()).isEqualTo(128);
    assertThat(ReplicaSetHistory.disagreement(schedules)).isNull();
  }

  @Test
  void aChangeStillPendingPastItsBoundaryForWantOfRequestsAlreadyCounts() {
    // No request at or after the stated position yet: the executor still lists the change as
    // pending at checkpoints past its boundary, and the protocol applies it all the same.
    long at = 81 + MembershipSchedule.requiredDistance(CONFIG);
    ClusterConfiguration state = new ClusterConfiguration(1, new TreeSet<>(),
        new java.util.TreeMap<>(), new TreeSet<>(), new java.util.TreeMap<>(), new TreeSet<>(),
        List.of(new PendingChange(81, at, new SystemCommand.SetReplicas(REPLACED, at))));
    MembershipSchedule late = MembershipSchedule.at(CONFIG, 64, state);
    assertThat(late.current().members()).containsExactly(0, 1, 2, 4);
    assertThat(late.upcoming()).isEmpty();
  }

  @Property(tries = 200)
  void replicasAtDifferentCheckpointsAgreeOnWhoOrdersEachSequenceNumber(@ForAll long seed) {
    ReplicaSetHistory history = randomHistory(seed, MembershipSchedule.requiredDistance(CONFIG));
    assertThat(ReplicaSetHistory.disagreement(
        history.schedules(MembershipSchedule.Rule.AT_BOUNDARY))).isNull();
  }

  @Test
  void applyingAChangeAtOnceMakesReplicasDisagree() {
    ReplicaSetHistory history =
        new ReplicaSetHistory(CONFIG, MembershipSchedule.requiredDistance(CONFIG));
    history.order(19 * 16 + 1, REPLACED); // seq 20, ordered in the interval ending at 32
    history.runTo(300);
    assertThat(ReplicaSetHistory.disagreement(
        history.schedules(MembershipSchedule.Rule.AT_BOUNDARY))).isNull();
    assertThat(ReplicaSetHistory.disagreement(
        history.schedules(MembershipSchedule.Rule.AT_ONCE_FOR_TEST)))
        .startsWith("seq 33: a replica at checkpoint 0 counts [0, 1, 2, 3], one at 32 counts"
            + " [0, 1, 2, 4]");
  }

  @Test
  void aStatedPositionCloserThanOneWindowMakesReplicasDisagree() {
    // The executor's default distance (64 positions, 4 sequence numbers) is far too short for
    // PBFT: a replica still at checkpoint 16 has not seen the change but orders up to 80.
    ReplicaSetHistory history = new ReplicaSetHistory(CONFIG, 64);
    history.order(19 * 16 + 1, REPLACED);
    history.runTo(300);
    assertThat(ReplicaSetHistory.disagreement(
        history.schedules(MembershipSchedule.Rule.AT_BOUNDARY))).isNotNull();
  }

  @Property(tries = 50)
  void everyChangeOrderedWithTooShortADistanceIsCaught(@ForAll long seed) {
    ReplicaSetHistory history = randomHistory(seed, 64);
    Assume.that(history.changes() > 0);
    // The replica at the checkpoint before the change's own has not seen it and orders a
    // window past the boundary, while the replica at the next checkpoint already applies it.
    assertThat(ReplicaSetHistory.disagreement(
        history.schedules(MembershipSchedule.Rule.AT_BOUNDARY))).isNotNull();
  }

  @Test
  void aStateHoldingASetBelowThreeTPlusOneStopsTheReplicaWithTheReason() {
    long at = 81 + MembershipSchedule.requiredDistance(CONFIG);
    ClusterConfiguration state = new ClusterConfiguration(1, new TreeSet<>(),
        new java.util.TreeMap<>(), new TreeSet<>(), new java.util.TreeMap<>(), new TreeSet<>(),
        List.of(new PendingChange(81, at,
            new SystemCommand.SetReplicas(new TreeSet<>(List.of(0, 1, 2)), at))));
    assertThatThrownBy(() -> MembershipSchedule.at(CONFIG, 16, state))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs at least 4 replicas (n >= 3t+1), [0, 1, 2] has 3");
  }

  @Test
  void aSequenceNumberBelowTheStableCheckpointHasNoConfiguration() {
    MembershipSchedule s = MembershipSchedule.at(CONFIG, 32, ClusterConfiguration.INITIAL);
    assertThatThrownBy(() -> s.forSeq(32)).isInstanceOf(IllegalArgumentException.class);
    assertThat(s.forSeq(33).members()).containsExactly(0, 1, 2, 3);
    assertThat(s.windowEnd()).isEqualTo(96);
  }

  /**
   * Requests at random positions with gaps, and now and then one replica replaced by a spare
   * (ids 4 to 9), ordered at a random request; sometimes two changes are pending at once.
   */
  static ReplicaSetHistory randomHistory(long seed, long distance) {
    SplittableRandom random = new SplittableRandom(seed);
    ReplicaSetHistory history = new ReplicaSetHistory(CONFIG, distance);
    TreeSet<Integer> latest = new TreeSet<>(CONFIG.members());
    long position = 0;
    long end = 40L * CONFIG.checkpointInterval() * CONFIG.maxBatch();
    while (position < end) {
      position += 1 + random.nextInt(random.nextInt(8) == 0 ? 200 : 20);
      if (random.nextInt(40) == 0) {
        TreeSet<Integer> next = new TreeSet<>(latest);
        next.remove(List.copyOf(latest).get(random.nextInt(latest.size())));
        int spare;
        do {
          spare = 4 + random.nextInt(6);
        } while (latest.contains(spare));
        next.add(spare);
        history.order(position, next);
        latest = next;
      } else {
        history.request(position);
      }
    }
    history.runTo(end / CONFIG.maxBatch() - 1);
    return history;
  }
}
