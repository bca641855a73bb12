package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.client.LockClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.client.RejectedException;
import io.lockstep.server.config.Service;
import io.lockstep.server.lock.LockCodec;
import io.lockstep.server.lock.LockService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LockClient} against a real 3-replica lock cluster: the paper's lock with time-outs
 * (§5.2) as a Java client uses it. Each test uses its own lock names on one shared cluster.
 */
class LockClientTest {
  private static final Duration LONG = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static TestCluster cluster;

  private LockClient a;
  private LockClient b;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.started(dir, 3, Service.LOCK);
    cluster.awaitLeader(Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void connect() {
    a = new LockClient(cluster.client());
    b = new LockClient(cluster.client());
  }

  @AfterEach
  void disconnect() {
    a.close();
    b.close();
  }

  @Test
  void waitersAreGrantedTheLockInArrivalOrderOnRelease() {
    try (LockstepClient third = cluster.client()) {
      LockClient c = new LockClient(third.newSession());
      assertThat(a.acquire("fifo", LONG).held()).isTrue();
      assertThat(b.acquire("fifo", LONG).callerPosition()).isEqualTo(1);
      assertThat(c.acquire("fifo", LONG).callerPosition()).isEqualTo(2);

      a.release("fifo");
      LockCodec.State afterFirst = b.holder("fifo");
      assertThat(afterFirst.held()).as("first waiter holds after the release").isTrue();
      assertThat(afterFirst.waiters()).isEqualTo(1);
      assertThat(c.holder("fifo").callerPosition()).isEqualTo(1);

      b.release("fifo");
      assertThat(c.holder("fifo").held()).as("second waiter holds next").isTrue();
      c.release("fifo");
      assertThat(a.holder("fifo").holder()).as("no waiters left: free").isNull();
    }
  }

  @Test
  void blockingAcquireReturnsOnlyOnceTheHolderReleases() throws Exception {
    assertThat(a.acquire("handover", LONG).held()).isTrue();
    CompletableFuture<LockCodec.State> waiting =
        b.acquireAsync("handover", LONG, Duration.ofSeconds(20));
    Thread.sleep(300);
    assertThat(waiting).as("still queued behind a").isNotDone();
    a.release("handover");
    LockCodec.State granted = waiting.get(10, TimeUnit.SECONDS);
    assertThat(granted.held()).isTrue();
    assertThat(granted.holder()).isEqualTo(b.client().clientId());
    b.release("handover");
  }

  @Test
  void blockingAcquireThrowsTimeoutWhenTheWaitPassesAndWithdrawsTheRequest() {
    assertThat(a.acquire("busy", LONG).held()).isTrue();
    long start = System.nanoTime();
    assertThatThrownBy(() -> b.acquire("busy", LONG, Duration.ofMillis(400)))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("lock busy not acquired within 400 ms")
        .hasMessageContaining("the request was withdrawn");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
    assertThat(b.holder("busy").callerPosition()).as("no longer queued").isEqualTo(-1);
    a.release("busy");
    assertThat(a.holder("busy").holder()).as("not handed to the one who gave up").isNull();
  }

  @Test
  void aWaitersReleaseWithdrawsItFromTheQueue() {
    assertThat(a.acquire("queue", LONG).held()).isTrue();
    assertThat(b.acquire("queue", LONG).callerPosition()).isEqualTo(1);
    LockCodec.State after = b.release("queue");
    assertThat(after.callerPosition()).isEqualTo(-1);
    assertThat(after.waiters()).isZero();
    assertThat(after.holder()).isEqualTo(a.client().clientId());
    a.release("queue");
    assertThat(a.holder("queue").holder()).isNull();
  }

  @Test
  void aZeroWaitAcquiresAFreeLockAtOnce() throws Exception {
    assertThat(a.acquire("instant", LONG, Duration.ZERO).held()).isTrue();
    a.release("instant");
  }

  @Test
  void aGrantExpiresAfterItsHoldTimeOfAgreedTimeAndTheNextWaiterGetsIt() throws Exception {
    LockCodec.State first = a.acquire("lease", Duration.ofMillis(500));
    assertThat(first.held()).isTrue();
    LockCodec.State second = b.acquire("lease", LONG, Duration.ofSeconds(20));
    assertThat(second.held()).isTrue();
    assertThat(second.timeGranted() - first.timeGranted())
        .as("hand-over by the time-out, not before (agreed time, ms)").isGreaterThanOrEqualTo(500);
    assertThat(a.holder("lease").callerPosition()).as("a lost the lock").isEqualTo(-1);
    assertThatThrownBy(() -> a.release("lease")).isInstanceOf(RejectedException.class);
    b.release("lease");
  }

  @Test
  void releaseByANonHolderIsRefusedAndChangesNothing() {
    assertThat(a.acquire("mine", LONG).held()).isTrue();
    assertThatThrownBy(() -> b.release("mine")).isInstanceOf(RejectedException.class)
        .hasMessageContaining("neither holds nor waits for lock mine");
    LockCodec.State state = a.holder("mine");
    assertThat(state.held()).isTrue();
    assertThat(state.waiters()).isZero();
    a.release("mine");
    assertThat(a.holder("mine").holder()).isNull();
  }

  @Test
  void badNamesAndHoldTimesAreRefusedBeforeAnythingIsSent() {
    assertThatThrownBy(() -> a.acquire("", LONG)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-empty name");
    String tooLong = "é".repeat(LockCodec.MAX_NAME_BYTES / 2 + 1);
    assertThatThrownBy(() -> a.holder(tooLong)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("258 UTF-8 bytes, the limit is 256");
    assertThatThrownBy(() -> a.acquire("x", Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hold time must be 1 ms");
    assertThatThrownBy(() -> a.acquire("x", Duration.ofMillis(LockService.MAX_HOLD_MILLIS + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("86400000 ms");
    assertThatThrownBy(() -> a.acquire("x", LONG, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
    assertThat(a.holder("x").holder()).as("nothing was acquired").isNull();
  }
}
