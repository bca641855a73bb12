package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.LockstepClient;
import io.lockstep.client.RejectedException;
import io.lockstep.server.config.Service;
import io.lockstep.server.lock.LockCodec;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paper's lock service with time-outs (§5.2) served by a real 3-replica cluster. */
class LockServiceTest {
  @TempDir Path dir;

  @Test
  void grantsFifoReleasesOnlyByHolderAndTimesOutEveryGrant() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.LOCK);
         LockstepClient a = cluster.client();
         LockstepClient b = cluster.client();
         LockstepClient c = cluster.client()) {
      cluster.awaitLeader(Duration.ofSeconds(10));
      assertThat(state(a.submitBlocking(LockCodec.acquire("L", 60_000))).held()).isTrue();
      LockCodec.State waiting = state(b.submitBlocking(LockCodec.acquire("L", 300)));
      assertThat(waiting.callerPosition()).isEqualTo(1);
      assertThatThrownBy(() -> c.submitBlocking(LockCodec.release("L")))
          .isInstanceOf(RejectedException.class).hasMessageContaining("neither holds nor waits");
      a.submitBlocking(LockCodec.release("L"));
      assertThat(state(b.queryBlocking(LockCodec.holder("L"))).held()).isTrue();
      // b's hand-over grant scheduled its own time-out (+300 ms of agreed time): it expires.
      long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      LockCodec.State now = state(a.queryBlocking(LockCodec.holder("L")));
      while (now.holder() != null && System.nanoTime() < end) {
        Thread.sleep(50);
        now = state(a.queryBlocking(LockCodec.holder("L")));
      }
      assertThat(now.holder()).isNull();
    }
  }

  private static LockCodec.State state(byte[] output) {
    return LockCodec.decodeState(output);
  }
}
