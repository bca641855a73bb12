package io.lockstep.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configurator replaces a voter silent past its bound with a spare, one step at a time, and
 * never takes a step that would break the combining condition or remove a voter that answered.
 */
class ConfiguratorTest {
  private static final Configurator CONFIGURATOR = new Configurator(3, 1_000);

  private static Configuration view(List<Integer> voters, List<Integer> learners,
      boolean committed, Map<Integer, Long> silent) {
    return new Configuration(voters, learners, 7, committed, "", silent);
  }

  @Test
  void aVoterSilentPastTheBoundIsReplacedSpareFirstThenRemoved() {
    Map<Integer, Long> silent = Map.of(1, 10L, 2, 1_001L);
    assertThat(CONFIGURATOR.next(view(List.of(0, 1, 2), List.of(), true, silent), 0,
        List.of(5, 6))).contains(new ChangeMembership(Change.ADD, 5));
    assertThat(CONFIGURATOR.next(view(List.of(0, 1, 2), List.of(5), true, silent), 0,
        List.of(5, 6))).as("keeps asking while the spare catches up")
        .contains(new ChangeMembership(Change.ADD, 5));
    assertThat(CONFIGURATOR.next(view(List.of(0, 1, 2, 5), List.of(), true,
        Map.of(1, 10L, 2, 1_001L, 5, 3L)), 0, List.of(6)))
        .contains(new ChangeMembership(Change.REMOVE, 2));
  }

  @Test
  void aVoterThatAnsweredWithinTheBoundIsNeverTouched() {
    Map<Integer, Long> silent = Map.of(1, 999L, 2, 1_000L);
    assertThat(CONFIGURATOR.next(view(List.of(0, 1, 2), List.of(), true, silent), 0,
        List.of(5))).isEmpty();
    assertThat(CONFIGURATOR.failed(view(List.of(0, 1, 2), List.of(), true, silent), 0))
        .isEmpty();
  }

  @Test
  void nothingHappensWhileAChangeIsUncommittedOrWithoutAMajority() {
    Map<Integer, Long> oneSilent = Map.of(1, 10L, 2, 5_000L);
    assertThat(CONFIGURATOR.next(view(List.of(0, 1, 2), List.of(), false, oneSilent), 0,
        List.of(5))).isEmpty();
    Map<Integer, Long> twoSilent = Map.of(1, 5_000L, 2, 5_000L);
    assertThat(CONFIGURATOR.next(view(List.of(0, 1, 2), List.of(), true, twoSilent), 0,
        List.of(5))).as("P - F = 1 is not a majority of 3: no step could commit").isEmpty();
  }

  @Test
  void withoutASpareAFailedVoterIsStillRemovedSinceThatNeverShrinksTheMargin() {
    Configuration view = view(List.of(0, 1, 2), List.of(), true, Map.of(1, 10L, 2, 5_000L));
    assertThat(view.margin(1)).isZero();
    assertThat(CONFIGURATOR.next(view, 0, List.of()))
        .contains(new ChangeMembership(Change.REMOVE, 2));
    assertThat(view(List.of(0, 1), List.of(), true, Map.of()).margin(0))
        .as("after the removal: P - F = 2, a majority of 2").isZero();
  }

  @Test
  void theCombiningConditionMarginCountsAMajorityOfVoters() {
    Configuration five = view(List.of(0, 1, 2, 3, 4), List.of(), true, Map.of());
    assertThat(five.margin(0)).isEqualTo(2);
    assertThat(five.margin(2)).isZero();
    assertThat(five.margin(3)).isNegative();
  }

  @Test
  void aByzantineQuorumOf2tPlus1LeavesAThinnerMarginThanAMajority() {
    Configuration seven = new Configuration(List.of(0, 1, 2, 3, 4, 5, 6), List.of(), 0, true, "",
        Map.of(), 5);
    assertThat(seven.margin(0)).as("7 - 5").isEqualTo(2);
    assertThat(seven.margin(2)).isZero();
    assertThat(view(List.of(0, 1, 2, 3, 4, 5, 6), List.of(), true, Map.of()).margin(0))
        .as("a majority of 7 is 4").isEqualTo(3);
  }

  @Test
  void aBadBoundIsRefused() {
    assertThatThrownBy(() -> new Configurator(3, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }
}
