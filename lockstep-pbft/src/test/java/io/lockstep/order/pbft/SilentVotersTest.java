package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Configuration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The F of the combining condition in a Byzantine cluster (paper §7): replicas measure whom
 * they have not heard from, report it in their status messages, and count a replica silent
 * only on t+1 reports.
 */
class SilentVotersTest {
  @Test
  void aReplicaThatSendsNothingIsCountedSilentAndTheMarginDropsToZero() {
    Net net = new Net(UnaryOperator.identity());
    net.filter = m -> m.from() == 3 ? null : m;
    net.runFor(3_000, 50);
    for (int i = 0; i < 3; i++) {
      Configuration view = net.nodes[i].configuration();
      assertThat(view.silentMillis().get(3)).as("replica %d about 3", i).isGreaterThan(2_500);
      assertThat(view.silentMillis()).as("replica %d about the others", i)
          .allSatisfy((replica, millis) -> assertThat(replica == 3 || millis <= 100).isTrue());
      assertThat(view.margin(1)).isZero(); // 4 − 1 − 3: one more failure stops ordering
    }
  }

  @Test
  void oneLyingReplicaCannotMakeACorrectReplicaCountAsSilent() {
    Net net = new Net(UnaryOperator.identity());
    net.filter = m -> m.from() == 1 && m.message() instanceof PbftMessage.Status s
        ? new Net.Msg(1, m.to(), new PbftMessage.Status(s.view(), s.changingView(),
            s.executed(), s.stableSeq(), Map.of(0, 1_000_000L, 2, 1_000_000L, 3, 1_000_000L)))
        : m;
    net.runFor(3_000, 50);
    for (int i : new int[] {0, 2, 3}) {
      assertThat(net.nodes[i].configuration().silentMillis())
          .as("replica %d", i).allSatisfy((replica, millis) -> assertThat(millis).isLessThan(200));
    }
  }

  @Test
  void oneLyingReplicaCannotHideASilentOne() {
    Net net = new Net(UnaryOperator.identity());
    net.filter = m -> {
      if (m.from() == 3) {
        return null;
      }
      return m.from() == 1 && m.message() instanceof PbftMessage.Status s
          ? new Net.Msg(1, m.to(), new PbftMessage.Status(s.view(), s.changingView(),
              s.executed(), s.stableSeq(), Map.of(3, 0L)))
          : m;
    };
    net.runFor(3_000, 50);
    assertThat(net.nodes[0].configuration().silentMillis().get(3)).isGreaterThan(2_500);
    assertThat(net.nodes[2].configuration().silentMillis().get(3)).isGreaterThan(2_500);
  }
}
