package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The steps process tests of a {@code lockstep local} cluster under load share: waiting for
 * acknowledged writes (failing with the clients' errors and the replicas' log tails), a
 * {@code kill -9} of one replica, and reading a replica's HTTP port. For the classic Byzantine
 * orders, whose writes take whole rounds, so waits are in seconds.
 */
final class LocalLoadSteps {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private LocalLoadSteps() {}

  /** Waits until {@code load} has at least {@code writes} acknowledged writes. */
  static void awaitWrites(KvLoad load, LocalProcess local, long writes, int seconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (load.okWrites() < writes) {
      if (System.nanoTime() > deadline) {
        assertThat(load.okWrites()).as("acknowledged writes (errors %s)%s",
            load.errorReplies(), local.logTails()).isGreaterThanOrEqualTo(writes);
      }
      Thread.sleep(200);
    }
  }

  /**
   * Kills replica {@code id} with SIGKILL and checks that it is gone.
   *
   * @return {@link System#nanoTime} as it was killed
   */
  static long killNine(LocalProcess local, int id) throws Exception {
    long pid = local.pid(id).orElseThrow();
    long killedAt = System.nanoTime();
    new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
    assertThat(ProcessHandle.of(pid).map(h -> {
      try {
        return h.onExit().get(10, TimeUnit.SECONDS).isAlive();
      } catch (Exception e) {
        return true;
      }
    }).orElse(false)).as("replica %d is gone", id).isFalse();
    return killedAt;
  }

  /**
   * Waits until {@code more} writes beyond the {@code before} acknowledged so far were, some of
   * them after {@code since} ({@link System#nanoTime}).
   */
  static void awaitWritesAfter(KvLoad load, LocalProcess local, long since, long before,
      long more, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!(load.wroteAfter(since) && load.okWrites() >= before + more)) {
      if (System.nanoTime() > deadline) {
        assertThat(load.okWrites()).as("writes after the kill (%d before it; errors %s)%s",
            before, load.errorReplies(), local.logTails()).isGreaterThanOrEqualTo(before + more);
      }
      Thread.sleep(200);
    }
  }

  /** Replica {@code id}'s answer at {@code path} of its HTTP port (base + 300 + id). */
  static String http(int base, int id, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 300 + id)
        + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }
}
