package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The quorum maths every certificate relies on, for every cluster size that is allowed. */
class QuorumPropertiesTest {
  @Property
  void anyTwoQuorumsShareACorrectReplica(@ForAll @IntRange(min = 0, max = 40) int t,
      @ForAll @IntRange(min = 0, max = 40) int extra) {
    Quorum q = new Quorum(3 * t + 1 + extra, t);
    // Two quorums overlap in at least 2·quorum − n replicas; more than t of them means one is
    // correct, so two certificates for different values cannot both exist.
    assertThat(q.overlap()).isGreaterThanOrEqualTo(t + 1);
  }

  @Property
  void theCorrectReplicasAloneFormAQuorum(@ForAll @IntRange(min = 0, max = 40) int t,
      @ForAll @IntRange(min = 0, max = 40) int extra) {
    Quorum q = new Quorum(3 * t + 1 + extra, t);
    assertThat(q.quorum()).isLessThanOrEqualTo(q.n() - t);
  }

  @Property
  void aWeakCertificateHoldsACorrectReplicaAndIsSmallerThanAQuorum(
      @ForAll @IntRange(min = 0, max = 40) int t) {
    Quorum q = new Quorum(3 * t + 1, t);
    assertThat(q.weak()).isEqualTo(t + 1);
    assertThat(q.quorum()).isEqualTo(2 * t + 1);
    assertThat(q.prepares()).isEqualTo(2 * t);
  }

  @Property
  void fewerThanThreeTPlusOneReplicasAreRefused(@ForAll @IntRange(min = 1, max = 40) int t,
      @ForAll @IntRange(min = 1, max = 40) int fewer) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Quorum(3 * t + 1 - fewer, t))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3t+1");
  }
}
