package io.lockstep.order;

import static io.lockstep.order.IncarnationTally.Verdict.FIRST_START;
import static io.lockstep.order.IncarnationTally.Verdict.UNDECIDED;
import static io.lockstep.order.IncarnationTally.Verdict.WIPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wipe check's decision rule in both failure models: how many answers make a first start,
 * how many prove a wipe, what t lying peers can and cannot do, and the rule for peers that never
 * answer. The last case checks the counting argument itself over every placement of liars.
 */
class IncarnationTallyTest {
  private static final long NOW = 0xbbbbL;
  private static final long BEFORE = 0xaaaaL;

  @Test
  void thresholdsAreTPlusOneUnderFailStopAndTwoTPlusOneUnderByzantineFaults() {
    for (int t = 1; t <= 4; t++) {
      IncarnationTally crash = IncarnationTally.of(FailureModel.FAIL_STOP, NOW, 2 * t, t);
      assertThat(crash.needed()).isEqualTo(t + 1);
      assertThat(crash.evidenceNeeded()).isEqualTo(1);
      IncarnationTally byz = IncarnationTally.of(FailureModel.BYZANTINE, NOW, 3 * t, t);
      assertThat(byz.needed()).isEqualTo(2 * t + 1);
      assertThat(byz.evidenceNeeded()).isEqualTo(t + 1);
    }
    assertThat(IncarnationTally.of(FailureModel.FAIL_STOP, NOW, 3, 1).needed())
        .as("four voters under fail-stop: any 2 of 3 peers meet").isEqualTo(2);
    assertThat(IncarnationTally.of(FailureModel.BYZANTINE, NOW, 0, 0).verdict(false))
        .as("a lone replica has nobody to ask").isEqualTo(FIRST_START);
  }

  @Test
  void oneLyingPeerOfFourReplicasNeitherMakesAWipeNorHidesOne() {
    IncarnationTally fresh = IncarnationTally.of(FailureModel.BYZANTINE, NOW, 3, 1);
    fresh.answer(2, BEFORE); // the liar claims an earlier incarnation
    assertThat(fresh.verdict(false)).isEqualTo(UNDECIDED);
    fresh.answer(3, 0);
    fresh.answer(4, 0);
    assertThat(fresh.verdict(false)).as("one liar's word decides nothing; waiting decides")
        .isEqualTo(UNDECIDED);
    assertThat(fresh.verdict(true)).isEqualTo(FIRST_START);

    IncarnationTally wiped = IncarnationTally.of(FailureModel.BYZANTINE, NOW, 3, 1);
    wiped.answer(2, 0); // the liar hides the wipe
    wiped.answer(3, BEFORE);
    assertThat(wiped.verdict(true)).isEqualTo(UNDECIDED);
    wiped.answer(4, BEFORE);
    assertThat(wiped.verdict(false)).isEqualTo(WIPED);
    assertThat(wiped.firstWitness().getKey()).isEqualTo(3);
  }

  @Test
  void underFailStopOneAnswerNamingAnotherIncarnationIsAWipe() {
    IncarnationTally tally = IncarnationTally.of(FailureModel.FAIL_STOP, NOW, 2, 1);
    tally.answer(2, NOW);
    assertThat(tally.verdict(false)).as("its own incarnation: a restart, not a wipe")
        .isEqualTo(UNDECIDED);
    assertThat(tally.verdict(true)).isEqualTo(FIRST_START);
    tally.answer(3, BEFORE);
    assertThat(tally.verdict(false)).isEqualTo(WIPED);
  }

  @Test
  void aPeerCountsOnceItsLaterAnswersAreIgnored() {
    IncarnationTally tally = IncarnationTally.of(FailureModel.BYZANTINE, NOW, 3, 1);
    tally.answer(2, BEFORE);
    tally.answer(2, 0);
    tally.answer(2, 0);
    tally.answer(3, 0);
    assertThat(tally.answers()).isEqualTo(2);
    assertThat(tally.remembersAnother()).isEqualTo(1);
    assertThat(tally.verdict(false)).isEqualTo(UNDECIDED);
  }

  @Test
  void waitingDecidesOnlyWithAllButOneOfTheNeededAnswers() {
    IncarnationTally tally = IncarnationTally.of(FailureModel.BYZANTINE, NOW, 6, 2);
    tally.answer(2, 0);
    tally.answer(3, 0);
    tally.answer(4, 0);
    assertThat(tally.verdict(true)).as("3 of the 5 needed").isEqualTo(UNDECIDED);
    tally.answer(5, 0);
    assertThat(tally.verdict(false)).isEqualTo(UNDECIDED);
    assertThat(tally.verdict(true)).isEqualTo(FIRST_START);
  }

  /**
   * The counting argument, checked rather than trusted: an incarnation checked by q peers
   * (fully, not by waiting) that is then wiped is never taken for a first start, whichever t
   * of the 3t peers lie and whichever answers arrive; and a replica nobody remembers is never
   * taken for wiped. Shown to fail with q one lower (the assertion message names the case).
   */
  @Test
  void everyPlacementOfLiarsKeepsTheRuleSound() {
    for (int t = 1; t <= 3; t++) {
      int peers = 3 * t;
      int q = IncarnationTally.of(FailureModel.BYZANTINE, NOW, peers, t).needed();
      for (int storers = q; storers <= peers; storers++) {
        for (int lyingStorers = 0; lyingStorers <= Math.min(t, storers); lyingStorers++) {
          int lyingOthers = Math.min(t - lyingStorers, peers - storers);
          IncarnationTally wiped = IncarnationTally.of(FailureModel.BYZANTINE, NOW, peers, t);
          List<Long> said = new ArrayList<>();
          for (int i = 0; i < storers; i++) {
            said.add(i < lyingStorers ? 0L : BEFORE);
          }
          for (int i = storers; i < peers; i++) {
            said.add(i - storers < lyingOthers ? BEFORE : 0L);
          }
          // Liars and non-storers answer first: the most a first start could be fooled by.
          said.sort((a, b) -> Long.compare(a == 0 ? 0 : 1, b == 0 ? 0 : 1));
          String casename = "t=" + t + " storers=" + storers + " lying storers=" + lyingStorers;
          for (int i = 0; i < said.size(); i++) {
            wiped.answer(100 + i, said.get(i));
            assertThat(wiped.verdict(false)).as(casename).isNotEqualTo(FIRST_START);
          }
          assertThat(wiped.verdict(false)).as(casename + ", all answered").isEqualTo(WIPED);
        }
      }
      IncarnationTally fresh = IncarnationTally.of(FailureModel.BYZANTINE, NOW, peers, t);
      for (int i = 0; i < t; i++) {
        fresh.answer(100 + i, BEFORE);
      }
      assertThat(fresh.verdict(true)).isNotEqualTo(WIPED);
    }
  }

  @Test
  void incarnationZeroAndNegativeCountsAreRefused() {
    assertThatThrownBy(() -> new IncarnationTally(0, 3, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names none");
    assertThatThrownBy(() -> new IncarnationTally(NOW, -1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
  }
}
