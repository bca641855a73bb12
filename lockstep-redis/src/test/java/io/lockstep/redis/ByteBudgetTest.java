package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Role;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis connection's commands in flight are bounded in bytes, not only in count: a pipeline
 * of large values against a replica that does not answer yet stops being read once the budget
 * is full (TCP back-pressure), and every reply still arrives, in order, once it answers.
 */
class ByteBudgetTest {
  private static final long BUDGET = 64 * 1024;
  private static final int VALUE_BYTES = 8 * 1024;
  private static final int COMMANDS = 200;

  /** Holds every write until the test releases them. */
  private static final class HeldBackend implements RedisBackend {
    final List<CompletableFuture<byte[]>> held = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<byte[]> write(ClientId client, byte[] command) {
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }

    @Override
    public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
      return CompletableFuture.completedFuture(RespReplies.encode(new RespReply.Simple("PONG")));
    }

    @Override
    public ReplicaInfo info() {
      return new ReplicaInfo.Fixed(1, Role.LEADER, 1, 1, 0, 0);
    }

    synchronized int heldCount() {
      return held.size();
    }

    synchronized void releaseAll() {
      held.forEach(f -> f.complete(RespReplies.encode(new RespReply.Simple("OK"))));
    }
  }

  private RedisServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aPipelineOfLargeValuesStopsBeingReadAtTheByteBudgetAndStillGetsEveryReply()
      throws Exception {
    RedisServerConfig defaults = RedisServerConfig.defaults("127.0.0.1", 0);
    HeldBackend backend = new HeldBackend();
    server = RedisServer.start(new RedisServerConfig("127.0.0.1", 0, defaults.limits(), 10,
        10_000, 1, defaults.clientIdPrefix(), null, BUDGET, 1L << 30, 1L << 30), backend);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      String value = "v".repeat(VALUE_BYTES);
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < COMMANDS; i++) {
            out.write(("*3\r\n$3\r\nSET\r\n$" + Integer.toString(i).length() + "\r\n" + i
                + "\r\n$" + VALUE_BYTES + "\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
          }
          out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      writer.setDaemon(true);
      writer.start();
      Thread.sleep(1_000);

      // 200 × 8 KiB = 1.6 MiB sent; the server took about the budget and stopped reading.
      RedisServer.Stats stats = server.stats();
      assertThat(stats.bytePauses()).as("paused for bytes: %s", stats).isPositive();
      assertThat(stats.outstandingBytes()).isBetween(BUDGET, BUDGET + 256 * 1024);
      assertThat(backend.heldCount()).isLessThan(COMMANDS / 4);

      // The replica answers from now on: whatever it holds, every 5 ms.
      java.util.concurrent.ScheduledExecutorService releaser =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      releaser.scheduleAtFixedRate(backend::releaseAll, 0, 5,
          java.util.concurrent.TimeUnit.MILLISECONDS);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      try {
        for (int i = 0; i < COMMANDS; i++) {
          assertThat(line(in)).as("reply %d", i).isEqualTo("+OK");
        }
      } finally {
        releaser.shutdownNow();
      }
      assertThat(line(in)).isEqualTo("+PONG");
      writer.join(5_000);
      assertThat(server.stats().outstandingBytes()).as("every byte released").isZero();
    }
    assertThat(backend.heldCount()).isEqualTo(COMMANDS);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed after: " + b);
      }
      b.append((char) c);
    }
    in.read();
    return b.toString();
  }
}
