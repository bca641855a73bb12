package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.replica.Checkpoint;
import io.lockstep.server.CheckpointDigesterTest.ThreadNoting;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * Divergence digests are made on the state-digest thread from a capture the loop took: the
 * digest is the state's at the capture's position even when the state has moved on since, at
 * most two captures wait (a third is dropped and logged, never queued), and a digest that fails
 * is logged without stopping the next.
 */
class StateDigestsTest {
  private static void apply(Executor executor, long position, String command) {
    executor.apply(new Ordered(position, 1, Request.command(ClientId.of("a"), position,
        command.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void aCaptureIsDigestedOnItsOwnThreadAsTheStateWasAtItsPosition() throws Exception {
    ThreadNoting machine = new ThreadNoting(false);
    Executor executor = new Executor(machine, ExecutorConfig.defaults(1));
    apply(executor, 1, "state at 1");
    String digestAt1 = executor.digest();
    CapturedSnapshot captured = executor.captureSnapshot();
    apply(executor, 2, "state at 2");
    LinkedBlockingQueue<Checkpoint> digested = new LinkedBlockingQueue<>();
    try (StateDigests digests = new StateDigests(1, digested::add)) {
      digests.submit(captured);
      Checkpoint checkpoint = digested.poll(10, TimeUnit.SECONDS);
      assertThat(machine.thread.get()).isEqualTo("lockstep-state-digest-1");
      assertThat(checkpoint).isEqualTo(new Checkpoint(1, digestAt1));
      assertThat(checkpoint.digest()).isNotEqualTo(executor.digest());
    }
  }

  @Test
  void aThirdCaptureWhileTwoWaitIsDroppedAndLogged() throws Exception {
    Executor executor = new Executor(new ThreadNoting(false), ExecutorConfig.defaults(1));
    CountDownLatch release = new CountDownLatch(1);
    List<Checkpoint> digested = new CopyOnWriteArrayList<>();
    try (LogCapture log = new LogCapture(StateDigests.class);
        StateDigests digests = new StateDigests(2, checkpoint -> {
          await(release);
          digested.add(checkpoint);
        })) {
      for (long position = 1; position <= 3; position++) {
        apply(executor, position, "state at " + position);
        digests.submit(executor.captureSnapshot());
      }
      assertThat(log.lines(Level.WARNING)).singleElement().asString()
          .contains("event=state_digest_dropped", "replica=2", "position=3");
      release.countDown();
      waitFor(() -> digested.size() == 2);
      assertThat(digested).extracting(Checkpoint::position).containsExactly(1L, 2L);
      apply(executor, 4, "state at 4");
      digests.submit(executor.captureSnapshot());
      waitFor(() -> digested.size() == 3);
      assertThat(digested.get(2).position()).as("room again once they were digested")
          .isEqualTo(4L);
    }
  }

  @Test
  void aDigestThatFailsIsLoggedAndTheNextIsStillMade() throws Exception {
    Executor failing = new Executor(new ThreadNoting(true), ExecutorConfig.defaults(1));
    Executor working = new Executor(new ThreadNoting(false), ExecutorConfig.defaults(1));
    LinkedBlockingQueue<Checkpoint> digested = new LinkedBlockingQueue<>();
    try (LogCapture log = new LogCapture(StateDigests.class);
        StateDigests digests = new StateDigests(3, digested::add)) {
      apply(failing, 1, "state at 1");
      digests.submit(failing.captureSnapshot());
      waitFor(() -> !log.lines(Level.SEVERE).isEmpty());
      assertThat(log.lines(Level.SEVERE)).singleElement().asString()
          .contains("event=state_digest_failed", "position=1", "injected");
      apply(working, 2, "state at 2");
      digests.submit(working.captureSnapshot());
      assertThat(digested.poll(10, TimeUnit.SECONDS))
          .isEqualTo(new Checkpoint(2, working.digest()));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as("within 10 s").isTrue();
  }
}
