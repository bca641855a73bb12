package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.ClientSession;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.ClientBudgets;
import io.lockstep.server.config.Service;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Busy" is never final at the client edges: with a tiny loop byte budget (room for about 12
 * queued values), a client pipelining 600 writes has most of them refused busy and retried.
 * Every write still succeeds exactly once and a Redis pipeline gets every reply, in order, on a
 * connection that keeps working. Without the per-session window ({@link SessionWindow}) the
 * retried requests are overtaken, overflow the executor's window of 64 waiting requests, and
 * the retries of those crowd out the request everything waits for until the request timeout
 * (both tests then fail); without retrying window-full refusals they fail with a final error.
 */
class BusyEdgesTest {
  private static final int COMMANDS = 300;
  private static final int JAVA_COMMANDS = 300;
  private static final int VALUE_BYTES = 4 * 1024;

  private static TestCluster cluster(Path dir) throws IOException {
    // Room for ~12 queued 4 KiB values: much of a pipeline is refused busy at first.
    return new TestCluster(dir, 1, Service.KV, c -> c.withBudgets(
        new ClientBudgets(50_000, 64L << 20, 16L << 20, 512L << 20, 256L << 20)));
  }

  @Test
  void aRedisPipelineRefusedBusyByTheLoopBudgetGetsEveryReplyInOrderAndKeepsWorking(
      @TempDir Path dir) throws Exception {
    try (TestCluster cluster = cluster(dir)) {
      cluster.start(1);
      cluster.awaitLeader(Duration.ofSeconds(10));
      ReplicaServer server = cluster.server(1);
      try (Socket socket = new Socket("127.0.0.1", server.redisPort())) {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        String value = "v".repeat(VALUE_BYTES);
        // The session's first request opens it; later ones cannot overtake it.
        out.write(command("SET", "first", "1").getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(line(in)).isEqualTo("+OK");
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < COMMANDS; i++) {
          pipeline.append(command("INCR", "counter"));
          pipeline.append(command("SET", "k" + i, value));
        }
        out.write(pipeline.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (int i = 0; i < COMMANDS; i++) {
          assertThat(line(in)).as("reply to INCR #%d", i + 1).isEqualTo(":" + (i + 1));
          assertThat(line(in)).as("reply to SET #%d", i + 1).isEqualTo("+OK");
        }
        out.write(command("GET", "counter").getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(line(in)).isEqualTo("$3");
        assertThat(line(in)).isEqualTo(Integer.toString(COMMANDS));
      }
      assertThat(server.metrics().budgetRefusals(ServerMetrics.LOOP_BYTES))
          .as("the loop byte budget refused some requests busy").isPositive();
    }
  }

  @Test
  void aJavaClientPipelineOverflowingTheWindowCompletesEveryRequest(@TempDir Path dir)
      throws Exception {
    try (TestCluster cluster = cluster(dir)) {
      cluster.start(1);
      cluster.awaitLeader(Duration.ofSeconds(10));
      try (LockstepClient client = LockstepClient.connect(cluster.clientOptions()
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)))) {
        ClientSession session = client.newSession();
        KvClient kv = new KvClient(session);
        kv.set("first", "1"); // opens the session before the pipeline can overtake it
        List<CompletableFuture<?>> writes = new ArrayList<>();
        String value = "v".repeat(VALUE_BYTES);
        byte[] counter = "counter".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < JAVA_COMMANDS; i++) {
          writes.add(kv.incrByAsync(counter, 1));
          writes.add(kv.setAsync(("k" + i).getBytes(StandardCharsets.UTF_8),
              value.getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        // Each increment ran exactly once, whatever was retried.
        assertThat(kv.get("counter")).isEqualTo(Integer.toString(JAVA_COMMANDS));
        assertThat(kv.get("k" + (JAVA_COMMANDS - 1))).isEqualTo(value);
        assertThat(client.retries()).as("some requests were refused busy and retried")
            .isPositive();
      }
      assertThat(cluster.server(1).metrics().budgetRefusals(ServerMetrics.LOOP_BYTES))
          .isPositive();
    }
  }

  @Test
  void aClientPortConnectionOverItsByteBudgetIsAnsweredBusyAndEveryRequestStillCompletes(
      @TempDir Path dir) throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 1, Service.KV, c -> c.withBudgets(
        new ClientBudgets(256L << 20, 40_000, 16L << 20, 512L << 20, 256L << 20)))) {
      cluster.start(1);
      cluster.awaitLeader(Duration.ofSeconds(10));
      try (LockstepClient client = LockstepClient.connect(cluster.clientOptions()
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30)))) {
        KvClient kv = new KvClient(client.newSession());
        byte[] counter = "counter".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[VALUE_BYTES];
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          writes.add(kv.incrByAsync(counter, 1));
          writes.add(kv.setAsync(("k" + i).getBytes(StandardCharsets.UTF_8), value));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        assertThat(kv.get("counter")).isEqualTo("200");
      }
      assertThat(cluster.server(1).metrics()
          .budgetRefusals(ServerMetrics.CLIENT_CONNECTION_BYTES)).isPositive();
    }
  }

  private static String command(String... args) {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a)
          .append("\r\n");
    }
    return b.toString();
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
