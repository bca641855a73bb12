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

  /** Holds every write until the test releases them; every read returns a large value. */
  private static final class HeldBackend implements RedisBackend {
    final List<CompletableFuture<byte[]>> held = new ArrayList<>();
    final byte[] large = RespReplies.encode(new RespReply.Bulk(new byte[32 * 1024]));

    @Override
    public synchronized CompletableFuture<byte[]> write(ClientId client, byte[] command) {
      CompletableFuture<byte[]> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }

    @Override
    public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
      return CompletableFuture.completedFuture(large);
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
      // Wait (the machine may be loaded) until the server has paused and taken nothing more
      // for a while: 200 × 8 KiB = 1.6 MiB sent, of which it took about the budget.
      long end = System.nanoTime() + 20_000_000_000L;
      long seen = -1;
      while (System.nanoTime() < end) {
        long now = server.stats().commands();
        if (server.stats().bytePauses() > 0 && now == seen) {
          break;
        }
        seen = now;
        Thread.sleep(300);
      }
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

  @Test
  void aClientThatLeavesTooManyReplyBytesUnreadIsClosedAndOthersAreStillServed()
      throws Exception {
    RedisServerConfig defaults = RedisServerConfig.defaults("127.0.0.1", 0);
    server = RedisServer.start(new RedisServerConfig("127.0.0.1", 0, defaults.limits(), 10,
        10_000, 1, defaults.clientIdPrefix(), null, 1L << 30, 1L << 30, 64 * 1024),
        new HeldBackend());
    try (Socket slow = new Socket("127.0.0.1", server.port())) {
      slow.setReceiveBufferSize(4096);
      StringBuilder gets = new StringBuilder();
      for (int i = 0; i < 1_000; i++) {
        gets.append("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
      }
      // 1,000 replies of 32 KiB (32 MiB) that this client never reads.
      slow.getOutputStream().write(gets.toString().getBytes(StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      long end = System.nanoTime() + 10_000_000_000L;
      while (server.stats().slowReadersClosed() == 0 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(server.stats().slowReadersClosed()).isEqualTo(1);
      try (Socket other = new Socket("127.0.0.1", server.port())) {
        other.setSoTimeout(5_000);
        other.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(line(new BufferedInputStream(other.getInputStream()))).isEqualTo("+PONG");
      }
    }
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
