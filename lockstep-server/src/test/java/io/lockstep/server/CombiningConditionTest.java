package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The combining condition P − F > Enuf is computed continuously on the leader and shown in its
 * status (and so in /health and {@code lockstep status}): three voters answering leave a margin
 * of one; a voter silent past the bound leaves none (thin); followers report no margin.
 */
class CombiningConditionTest {
  @TempDir Path dir;

  @Test
  void theLeadersMarginDropsWhenAVoterStaysSilentPastTheBound() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      StatusView status = awaitStatus(cluster, leader, 1, Duration.ofSeconds(5));
      assertThat(status.voters()).hasSize(3);
      assertThat(status.toJson(true)).contains("\"voters\":[").contains("\"margin\":1");
      int follower = status.voters().stream().filter(id -> id != leader).findFirst().orElseThrow();
      assertThat(cluster.server(follower).status().margin()).isNull();
      cluster.stop(follower);
      // Whoever leads then: on a loaded machine the other follower may win an election first,
      // and a new leader counts the silent voter from its own start.
      StatusView thin = cluster.awaitLeaderMargin(0,
          Duration.ofMillis(2 * CombiningWatch.UNREACHABLE_MILLIS + 10_000));
      assertThat(thin.margin()).isZero();
    }
  }

  private static StatusView awaitStatus(TestCluster cluster, int id, int margin, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    StatusView status = cluster.server(id).status();
    while (System.nanoTime() < deadline) {
      status = cluster.server(id).status();
      if (status.margin() != null && status.margin() == margin) {
        return status;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("margin never became " + margin + ": " + status);
  }
}
