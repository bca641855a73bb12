package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The configurator's decisions on their own: what the primary proposes, what backups accept. */
class PbftConfiguratorTest {
  private static final PbftConfiguration FOUR = PbftConfiguration.of(List.of(0, 1, 2, 3), 1);
  private static final PbftConfigurator CONFIGURATOR = new PbftConfigurator(1_000, List.of(5, 4));

  @Test
  void aMemberSilentPastTheBoundIsReplacedByTheFirstSpare() {
    assertThat(CONFIGURATOR.proposal(FOUR, Map.of(1, 0L, 2, 0L, 3, 1_600L), 500))
        .containsExactly(0, 1, 2, 5);
  }

  @Test
  void nothingIsProposedWithinTheBoundAndItsSlack() {
    assertThat(CONFIGURATOR.proposal(FOUR, Map.of(3, 1_400L), 500)).isNull();
    assertThat(CONFIGURATOR.proposal(FOUR, Map.of(), 500)).isNull();
  }

  @Test
  void withoutAQuorumLeftOrWithoutASpareNothingIsProposed() {
    assertThat(CONFIGURATOR.proposal(FOUR, Map.of(2, 9_000L, 3, 9_000L), 0)).isNull();
    PbftConfigurator noSpare = new PbftConfigurator(1_000, List.of(3));
    assertThat(noSpare.proposal(FOUR, Map.of(2, 9_000L), 0)).isNull();
  }

  @Test
  void aSpareThatFellSilentIsPassedOverForTheNext() {
    Map<Integer, Long> threeSilent = Map.of(3, 1_600L);
    assertThat(CONFIGURATOR.proposal(FOUR, threeSilent, 500, spare -> spare != 5))
        .containsExactly(0, 1, 2, 4);
    assertThat(CONFIGURATOR.proposal(FOUR, threeSilent, 500, spare -> false)).isNull();
  }

  @Test
  void aSpareCountsAsFallenSilentOnlyOnceHeardAndThenNotWithinTheBound() {
    Silence silence = new Silence(100);
    silence.start();
    assertThat(silence.fellSilent(5, 10_000, 1_000)).as("never heard").isFalse();
    silence.heard(5, 2_000);
    assertThat(silence.fellSilent(5, 3_000, 1_000)).isFalse();
    assertThat(silence.fellSilent(5, 3_001, 1_000)).isTrue();
  }

  @Test
  void aBackupAgreesOnlyToReplacingOneMemberItSeesSilentWithASpare() {
    Map<Integer, Long> threeSilent = Map.of(3, 1_200L);
    assertThat(CONFIGURATOR.disagreement(FOUR, threeSilent, set(0, 1, 2, 4))).isNull();
    assertThat(CONFIGURATOR.disagreement(FOUR, threeSilent, set(0, 1, 3, 4)))
        .contains("replica 2 is not reported silent");
    assertThat(CONFIGURATOR.disagreement(FOUR, threeSilent, set(0, 1, 2, 7)))
        .contains("replica 7 is not a configured spare");
    assertThat(CONFIGURATOR.disagreement(FOUR, Map.of(2, 9_000L, 3, 9_000L), set(0, 1, 4, 5)))
        .contains("one member at a time");
    assertThat(CONFIGURATOR.disagreement(FOUR, threeSilent, set(0, 1, 2, 3, 4)))
        .contains("one member at a time");
  }

  private static TreeSet<Integer> set(Integer... replicas) {
    return new TreeSet<>(List.of(replicas));
  }
}
