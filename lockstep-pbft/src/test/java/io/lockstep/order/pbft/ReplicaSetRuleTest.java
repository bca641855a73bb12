package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A replica-set change keeps n ≥ 3t+1 and changes at most t replicas each way. */
class ReplicaSetRuleTest {
  static final PbftConfiguration FOUR = PbftConfiguration.of(List.of(0, 1, 2, 3), 1);
  static final Set<Integer> KNOWN = Set.of(0, 1, 2, 3, 4, 5);

  static TreeSet<Integer> set(Integer... replicas) {
    return new TreeSet<>(List.of(replicas));
  }

  @Test
  void replacingOneReplicaOrGrowingByOneIsAllowed() {
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 2, 4), KNOWN)).isNull();
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 2, 3, 4), KNOWN)).isNull();
    PbftConfiguration five = PbftConfiguration.of(List.of(0, 1, 2, 3, 4), 1);
    assertThat(ReplicaSetRule.refusal(five, set(0, 1, 2, 3), KNOWN)).isNull();
  }

  @Test
  void aSetBelowThreeTPlusOneIsRefusedWithTheReason() {
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 2), KNOWN))
        .isEqualTo("a PBFT configuration tolerating t=1 Byzantine replicas needs at least 4"
            + " replicas (n >= 3t+1), [0, 1, 2] has 3");
  }

  @Test
  void aReplicaWithoutAListedKeyIsRefused() {
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 2, 9), KNOWN))
        .startsWith("replica 9 has no known key");
  }

  @Test
  void moreThanTJoiningOrLeavingAtOnceIsRefused() {
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 2, 3, 4, 5), KNOWN))
        .startsWith("the change adds [4, 5] at once; at most t=1 may join");
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 4, 5), KNOWN))
        .startsWith("the change adds [4, 5] at once");
    PbftConfiguration six = PbftConfiguration.of(List.of(0, 1, 2, 3, 4, 5), 1);
    assertThat(ReplicaSetRule.refusal(six, set(0, 1, 2, 3), KNOWN))
        .startsWith("the change removes [4, 5] at once; at most t=1 may leave");
  }

  @Test
  void aChangeToTheSameSetIsRefused() {
    assertThat(ReplicaSetRule.refusal(FOUR, set(0, 1, 2, 3), KNOWN))
        .isEqualTo("the replica set is already [0, 1, 2, 3]");
  }
}
