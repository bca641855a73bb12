package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.executor.Executor;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Role;
import io.lockstep.redis.BackendException;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Redis bridge against a scripted loop: its timer use, busy retries and outcomes. */
class RedisBridgeTest {
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

  {
    timer.setRemoveOnCancelPolicy(true);
  }

  /** A leader whose loop answers each question as {@code submits}/{@code reads} say. */
  private static final class ScriptedLoop implements ClientIntake {
    final List<Request> offered = new ArrayList<>();
    BiConsumer<Request, Origin> submits = (r, o) -> o.replied(ok(r));
    BiConsumer<ClientId, Origin> reads = (c, o) -> o.busy("replica overloaded");

    @Override
    public synchronized void offerSubmit(Request request, Origin origin) {
      offered.add(request);
      submits.accept(request, origin);
    }

    @Override
    public void offerRead(ClientId client, byte[] query, Origin origin) {
      reads.accept(client, origin);
    }

    @Override
    public StatusView status() {
      return new StatusView(1, Role.LEADER, 1, 1, 0, 0, 0, 0);
    }
  }

  private static Reply ok(Request r) {
    return new Reply(r.client(), r.sequence(), Reply.Status.OK, new byte[] {'+'}, "", 1, 1);
  }

  private static Reply windowFull(Request r) {
    return new Reply(r.client(), r.sequence(), Reply.Status.REJECTED, new byte[0],
        Executor.WINDOW_FULL + " too many requests wait", 1, 1);
  }

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void answeredCommandsLeaveNoGuardTaskOnTheTimer() {
    RedisBridge bridge = new RedisBridge(1, new ScriptedLoop(), null, timer, 5_000);
    ClientId client = ClientId.of("c");
    List<CompletableFuture<byte[]>> futures = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      futures.add(bridge.write(client, new byte[] {1}));
    }
    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    // Without cancelling, each command's guard would wait out the 5 s timeout in the queue.
    assertThat(timer.getQueue()).hasSizeLessThan(10);
  }

  @Test
  void aWindowFullRefusalIsRetriedWithTheSameSequenceNumberNotReportedAsFinal() {
    ScriptedLoop loop = new ScriptedLoop();
    AtomicInteger refusals = new AtomicInteger(3);
    loop.submits = (r, o) -> o.replied(refusals.getAndDecrement() > 0 ? windowFull(r) : ok(r));
    RedisBridge bridge = new RedisBridge(1, loop, null, timer, 5_000);

    byte[] out = bridge.write(ClientId.of("c"), new byte[] {1}).join();

    assertThat(out).containsExactly('+');
    assertThat(loop.offered).hasSize(4).allMatch(r -> r.sequence() == 1);
    // The next write is number 2: the refused one did not use up a number.
    bridge.write(ClientId.of("c"), new byte[] {2}).join();
    assertThat(loop.offered.get(4).sequence()).isEqualTo(2);
  }

  @Test
  void anUnknownSessionBeforeTheFirstRequestRanIsRetriedButAfterwardsItIsFinal() {
    ScriptedLoop loop = new ScriptedLoop();
    AtomicInteger early = new AtomicInteger(2);
    List<Runnable> heldFirst = new ArrayList<>();
    // #1 (which opens the session) is held back; #2 overtakes it and is answered "unknown
    // session" twice, as the executor answers a session's request before its first.
    loop.submits = (r, o) -> {
      if (r.sequence() == 1) {
        heldFirst.add(() -> o.replied(ok(r)));
      } else {
        o.replied(early.getAndDecrement() > 0 ? unknownSession(r) : ok(r));
      }
    };
    RedisBridge bridge = new RedisBridge(1, loop, null, timer, 5_000);
    ClientId client = ClientId.of("c");
    CompletableFuture<byte[]> one = bridge.write(client, new byte[] {1});
    CompletableFuture<byte[]> two = bridge.write(client, new byte[] {2});

    assertThat(two.join()).as("retried, not final").containsExactly('+');
    assertThat(loop.offered).filteredOn(r -> r.sequence() == 2).hasSize(3);
    synchronized (loop) {
      heldFirst.forEach(Runnable::run);
    }
    assertThat(one.join()).containsExactly('+');

    // Once the session was answered, "unknown session" means it expired: final.
    loop.submits = (r, o) -> o.replied(unknownSession(r));
    assertThatThrownBy(() -> bridge.write(client, new byte[] {3}).join())
        .cause().isInstanceOf(BackendException.SessionExpired.class);
  }

  private static Reply unknownSession(Request r) {
    return new Reply(r.client(), r.sequence(), Reply.Status.REJECTED, new byte[0],
        Executor.UNKNOWN_SESSION, 1, 1);
  }

  @Test
  void aReadStillRefusedAsBusyAtTheDeadlineIsReportedRetryableBusy() {
    ScriptedLoop loop = new ScriptedLoop();
    RedisBridge bridge = new RedisBridge(1, loop, null, timer, 200);
    CompletableFuture<byte[]> read = bridge.read(ClientId.of("c"), new byte[] {1});
    assertThatThrownBy(read::join).isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(BackendException.Busy.class)
        .satisfies(e -> assertThat(((BackendException) e).redisError()).startsWith("BUSY "));
  }

  @Test
  void aWriteStillRefusedAsBusyAtTheDeadlineIsIndeterminate() {
    ScriptedLoop loop = new ScriptedLoop();
    loop.submits = (r, o) -> o.busy("replica overloaded: its loop queue is full");
    RedisBridge bridge = new RedisBridge(1, loop, null, timer, 200);
    CompletableFuture<byte[]> write = bridge.write(ClientId.of("c"), new byte[] {1});
    assertThatThrownBy(write::join).cause().isInstanceOf(BackendException.Indeterminate.class)
        .hasMessageContaining("loop queue is full");
    // Backed off: far fewer attempts than one per 5 ms over 200 ms would make.
    assertThat(loop.offered.size()).isBetween(2, 20);
  }
}
