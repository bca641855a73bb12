package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A configuration's quorum maths and primaries are computed over its own replicas. */
class PbftConfigurationTest {
  @Test
  void primariesRotateOverTheConfigurationsOwnReplicas() {
    PbftConfiguration c = PbftConfiguration.of(List.of(4, 0, 2, 1), 1);
    assertThat(c.members()).containsExactly(0, 1, 2, 4);
    assertThat(List.of(c.primary(0), c.primary(1), c.primary(2), c.primary(3), c.primary(4)))
        .containsExactly(0, 1, 2, 4, 0);
    assertThat(c.quorumSize()).isEqualTo(3);
    assertThat(PbftConfiguration.of(List.of(0, 1, 2, 3, 4), 1).quorumSize()).isEqualTo(4);
  }

  @Test
  void fewerThanThreeTPlusOneOrRepeatedReplicasAreRefused() {
    assertThatThrownBy(() -> PbftConfiguration.of(List.of(0, 1, 2), 1))
        .hasMessageContaining("needs at least 4 replicas (n >= 3t+1), [0, 1, 2] has 3");
    assertThatThrownBy(() -> new PbftConfiguration(List.of(0, 1, 1, 2), 1))
        .hasMessageContaining("names each replica once");
  }
}
