package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.order.Input;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * A replica that lags or restarted across a replica-set change still checks each checkpoint's
 * votes against the configuration that ordered that checkpoint: the one its own state names
 * ({@link MembershipSchedule#orderedAt}), or, beyond its stable checkpoint's knowledge, the
 * one the highest checkpoint it executed names. Checked against any other set, every vote,
 * view change and new view proving a later checkpoint is refused and the replica never rejoins
 * (two simulator seeds lost liveness so).
 */
class MembershipCatchUpTest {
  private static final PbftConfig CONFIG = MembershipScheduleTest.CONFIG;
  private static final long K = CONFIG.checkpointInterval();
  private static final TreeSet<Integer> REPLACED = MembershipScheduleTest.REPLACED;

  @Test
  void theCheckpointAtABoundaryWasOrderedByTheOldConfiguration() {
    ReplicaSetHistory history = changeAt81();
    Map<Long, ClusterConfiguration> states = history.states();
    MembershipSchedule.Rule rule = MembershipSchedule.Rule.AT_BOUNDARY;
    assertThat(MembershipSchedule.at(CONFIG, 64, states.get(64L)).current().members())
        .as("after the boundary").containsExactly(0, 1, 2, 4);
    assertThat(MembershipSchedule.orderedAt(CONFIG, 64, states.get(64L), rule).members())
        .as("the boundary itself").containsExactly(0, 1, 2, 3);
    assertThat(MembershipSchedule.orderedAt(CONFIG, 80, states.get(80L), rule).members())
        .containsExactly(0, 1, 2, 4);
    assertThat(MembershipSchedule.orderedAt(CONFIG, 48, states.get(48L), rule).members())
        .containsExactly(0, 1, 2, 3);
  }

  @Property(tries = 200)
  void aCheckpointsStateNamesWhoOrderedItAsTheCheckpointBeforeKnewIt(@ForAll long seed) {
    ReplicaSetHistory history = MembershipScheduleTest.randomHistory(seed,
        MembershipSchedule.requiredDistance(CONFIG));
    Map<Long, MembershipSchedule> schedules =
        history.schedules(MembershipSchedule.Rule.AT_BOUNDARY);
    history.states().forEach((h, state) -> {
      if (h >= K) {
        assertThat(MembershipSchedule.orderedAt(CONFIG, h, state,
            MembershipSchedule.Rule.AT_BOUNDARY)).as("checkpoint %d", h)
            .isEqualTo(schedules.get(h - K).forSeq(h));
      }
    });
  }

  @Test
  void aRestartedReplicaThatFetchesALaterCheckpointChecksItAgainstWhoOrderedIt() {
    ReplicaSetHistory history = changeAt81();
    Pbft replica = replica();
    // Restarted from a checkpoint saved before the change: its voters are the old set, and it
    // knows no boundary ahead.
    replica.membership.restoreVoters(List.of(0, 1, 2, 3));
    replica.membership.stable(80, state(history.states().get(80L)));
    assertThat(replica.membership.forSeq(80).members()).containsExactly(0, 1, 2, 4);
    assertThat(replica.membership.current().members()).containsExactly(0, 1, 2, 4);
  }

  @Test
  void aLaggingReplicaKnowsWhoOrdersPastItsStableCheckpointsReachFromWhatItExecuted() {
    ReplicaSetHistory history = changeAt81();
    Pbft replica = replica();
    // Stable at 0 (its peers' votes for 16..64 lost), it executed up to 64 itself. The change
    // ordered at seq 6 is after its stable checkpoint: from there alone seq 80 is the old set's.
    assertThat(replica.membership.forSeq(80).members()).containsExactly(0, 1, 2, 3);
    replica.membership.executed(64, state(history.states().get(64L)));
    assertThat(replica.membership.forSeq(80).members()).containsExactly(0, 1, 2, 4);
    assertThat(replica.membership.forSeq(64).members()).as("within its window")
        .containsExactly(0, 1, 2, 3);
    replica.membership.stable(80, state(history.states().get(80L)));
    assertThat(replica.membership.forSeq(96).members()).containsExactly(0, 1, 2, 4);
  }

  /** Replica 4 replaces 3 by a change ordered at position 81 (seq 6): boundary 64. */
  private static ReplicaSetHistory changeAt81() {
    ReplicaSetHistory history =
        new ReplicaSetHistory(CONFIG, MembershipSchedule.requiredDistance(CONFIG));
    history.order(81, REPLACED);
    history.runTo(200);
    return history;
  }

  private static Pbft replica() {
    Pbft replica = new Pbft(CONFIG, ThroughputPolicy.off(), MemberNet::configurationOf);
    replica.step(new Input.Tick(1_000, 1_700_000_000_000L));
    return replica;
  }

  /** A stand-in executor state as {@link MemberNet} reads it: a chain, then the configuration. */
  private static io.lockstep.order.SnapshotData state(ClusterConfiguration configuration) {
    byte[] encoded = ConfigurationCodec.encode(configuration);
    byte[] out = Arrays.copyOf(new byte[32], 32 + encoded.length);
    System.arraycopy(encoded, 0, out, 32, encoded.length);
    return io.lockstep.order.SnapshotData.of(out);
  }
}
