package io.lockstep.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client that pipelines questions but does not read its answers is not read either, once its
 * answers fill half of its connection's queue: its questions wait in TCP, the answers queued for
 * it stay bounded, and none is refused; when it reads again, every question is answered.
 */
class SlowReaderTest {
  /** 32 MiB of answers: more than the kernel's socket buffers on both sides hold. */
  private static final int QUESTIONS = 8_000;
  private static final int BYTES = 4 * 1024;
  /** The connection's queue: 256 answers of 4 KiB; reading stops past half of it. */
  private static final long QUEUE_BYTES = 1 << 20;

  @Test
  void aClientThatDoesNotReadItsAnswersIsNotReadEitherAndLosesNoAnswer() throws Exception {
    AtomicInteger questions = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger mostQueued = new AtomicInteger();
    NetOptions options = TestNet.OPTIONS.withQueue(8192, QUEUE_BYTES)
        .withWriteBufferBytes(64 << 10);
    FrameHandler echo = (connection, payload) -> {
      questions.incrementAndGet();
      if (!connection.send(new byte[BYTES])) {
        refused.incrementAndGet();
      }
      mostQueued.accumulateAndGet(connection.queued(), Math::max);
    };
    try (FrameServer server = FrameServer.start(new ServerConfig(TestNet.CLUSTER, "1",
            TestNet.local(0), ClientAuth.shared(TestNet.SECRET), options), echo);
        RawPeer client = RawPeer.connect(server.port())) {
      assertThat(client.handshake(Role.CLIENT, TestNet.CLUSTER, "slow", TestNet.SECRET))
          .isTrue();
      Thread writer = new Thread(() -> send(client), "slow-reader-writer");
      writer.setDaemon(true);
      writer.start();

      // Reading resumes while answers still drain into the kernel's buffers; once those are
      // full too, the server stops reading for good.
      // Its bound is generous: on a loaded machine the kernel's buffers take a while to fill.
      awaitStopped(server, questions, mostQueued, Duration.ofSeconds(90));
      assertThat(questions.get()).as("questions taken").isLessThan(QUESTIONS);
      assertThat(mostQueued.get()).as("answers queued").isLessThanOrEqualTo(
          (int) (QUEUE_BYTES / BYTES));

      int answers = 0;
      while (answers < QUESTIONS) {
        Frames.Frame frame = client.readFrame();
        assertThat(frame).as("answer %d", answers).isNotNull();
        answers++;
      }
      writer.join(10_000);
      assertThat(questions.get()).isEqualTo(QUESTIONS);
      assertThat(refused.get()).as("answers refused").isZero();
      assertThat(server.stats().readPauses()).isPositive();
      assertThat(server.stats().readsPausedNow()).isZero();
    }
  }

  /** Waits until the server is not reading and took no question for half a second. */
  private static void awaitStopped(FrameServer server, AtomicInteger questions,
      AtomicInteger mostQueued, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(stoppedTaking(questions) && server.stats().readsPausedNow() == 1)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the server did not stop reading the client within " + timeout
            + ": questions taken " + questions.get() + " of " + QUESTIONS + ", reads paused now "
            + server.stats().readsPausedNow() + ", pauses so far " + server.stats().readPauses()
            + ", most answers queued " + mostQueued.get());
      }
    }
  }

  /** Whether no question was taken for half a second. */
  private static boolean stoppedTaking(AtomicInteger questions) {
    int before = questions.get();
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return questions.get() == before;
  }

  private static void send(RawPeer client) {
    try {
      for (int i = 0; i < QUESTIONS; i++) {
        client.sendData(new byte[BYTES]);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
