package io.lockstep.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.net.LoopbackPorts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class LockstepClientTest {
  @Test
  void aWriteWithoutOutcomeByTheDeadlineIsIndeterminateNeverAPlainFailure() throws Exception {
    ExecutorService completions = Executors.newSingleThreadExecutor(r -> new Thread(r, "done"));
    try (LockstepClient client = LockstepClient.connect(options(), completions)) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> client.submitBlocking(new byte[] {1}))
          .isInstanceOf(IndeterminateException.class)
          .hasMessageStartingWith("outcome unknown: the write may or may not have been applied");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(
          Duration.ofMillis(900), Duration.ofSeconds(5));
      assertThat(client.retries()).as("kept retrying the same request until the deadline")
          .isPositive();
      String thread = client.submit(new byte[] {2}).handle((v, e) ->
          Thread.currentThread().getName()).join();
      assertThat(thread).isEqualTo("done");
    } finally {
      completions.shutdown();
    }
  }

  @Test
  void aReadWithoutAnswerIsUnavailableAndChangedNothing() throws Exception {
    try (LockstepClient client = LockstepClient.connect(options())) {
      assertThatThrownBy(() -> client.queryBlocking(new byte[] {1}))
          .isInstanceOf(UnavailableException.class).hasMessageContaining("no replica answered");
    }
  }

  @Test
  void optionsRefuseAnAttemptTimeoutLongerThanTheDeadline() {
    assertThatThrownBy(() -> options().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most the deadline");
  }

  /** Replicas at ports nobody listens on. */
  private static ClientOptions options() throws Exception {
    int[] ports = LoopbackPorts.free(2);
    int a = ports[0];
    int b = ports[1];
    return ClientOptions.of("test", List.of(new InetSocketAddress("127.0.0.1", a),
        new InetSocketAddress("127.0.0.1", b)))
        .withTimeouts(Duration.ofMillis(100), Duration.ofSeconds(1));
  }
}
