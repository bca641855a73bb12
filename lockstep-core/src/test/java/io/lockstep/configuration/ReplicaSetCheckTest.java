package io.lockstep.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The protocol's replica-set rule is applied where a {@code SetReplicas} is ordered: a refused
 * change is refused with the rule's words and leaves the configuration as it was, the rule sees
 * the last pending set, and the rule's distance is a floor no configured distance shortens.
 */
class ReplicaSetCheckTest {
  /** A rule like a Byzantine protocol's: at least 4 replicas, one joining at a time. */
  private static final ReplicaSetCheck FOUR_ONE_AT_A_TIME = new ReplicaSetCheck() {
    @Override
    public long minimumDistance() {
      return 100;
    }

    @Override
    public String refusal(SortedSet<Integer> latest, SortedSet<Integer> proposed) {
      SortedSet<Integer> from = latest.isEmpty() ? set(0, 1, 2, 3) : latest;
      if (proposed.size() < 4) {
        return "needs 4, got " + proposed;
      }
      TreeSet<Integer> joining = new TreeSet<>(proposed);
      joining.removeAll(from);
      return joining.size() > 1 ? "joining " + joining + " from " + from : null;
    }
  };

  @Test
  void aChangeTheProtocolRefusesIsRefusedWithItsReasonAndChangesNothing() {
    Reconfiguration r = new Reconfiguration();
    r.replicaSetCheck(FOUR_ONE_AT_A_TIME);
    ClusterConfiguration before = r.current();
    assertThatThrownBy(() -> r.order(new SystemCommand.SetReplicas(set(0, 1, 2), 0), 5, 1))
        .isInstanceOf(ConfigurationRefusal.class).hasMessage("needs 4, got [0, 1, 2]");
    assertThatThrownBy(() -> r.order(new SystemCommand.SetReplicas(set(0, 1, 4, 5), 0), 5, 1))
        .isInstanceOf(ConfigurationRefusal.class)
        .hasMessage("joining [4, 5] from [0, 1, 2, 3]");
    assertThat(r.current()).isEqualTo(before);
  }

  @Test
  void theRuleJudgesAChangeAgainstTheLastPendingSetNotOnlyTheOneInForce() {
    Reconfiguration r = new Reconfiguration();
    r.replicaSetCheck(FOUR_ONE_AT_A_TIME);
    r.order(new SystemCommand.SetReplicas(set(0, 1, 2, 4), 0), 5, 1);
    // From [0, 1, 2, 3] this would add 4 and 5 at once; from the pending [0, 1, 2, 4] only 5.
    r.order(new SystemCommand.SetReplicas(set(0, 1, 4, 5), 0), 6, 1);
    assertThat(r.current().pending()).hasSize(2);
    assertThatThrownBy(() -> r.order(new SystemCommand.SetReplicas(set(0, 1, 6, 7), 0), 7, 1))
        .hasMessage("joining [6, 7] from [0, 1, 4, 5]");
  }

  @Test
  void theRulesDistanceIsAFloorForReplicaSetChangesOnly() {
    Reconfiguration r = new Reconfiguration();
    r.replicaSetCheck(FOUR_ONE_AT_A_TIME);
    assertThat(r.order(new SystemCommand.SetReplicas(set(0, 1, 2, 4), 0), 5, 1)).isEqualTo(105);
    assertThatThrownBy(() -> r.order(new SystemCommand.SetReplicas(set(0, 1, 2, 5), 150), 60,
        1)).hasMessageContaining("is too soon").hasMessageContaining("distance of 100");
    assertThat(r.order(new SystemCommand.AddDevice("d", 0), 200, 1)).isEqualTo(201);
  }

  @Test
  void withoutARuleAnyNonEmptySetIsOrderedAsBefore() {
    Reconfiguration r = new Reconfiguration();
    assertThat(r.order(new SystemCommand.SetReplicas(set(7), 0), 5, 1)).isEqualTo(6);
  }

  private static SortedSet<Integer> set(Integer... ids) {
    return new TreeSet<>(List.of(ids));
  }
}
