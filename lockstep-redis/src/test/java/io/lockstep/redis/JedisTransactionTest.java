package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * MULTI/EXEC/DISCARD through a real Redis client (Jedis {@link Transaction} and raw commands)
 * against {@link RedisServer} over one in-process executor.
 */
class JedisTransactionTest {
  private static final long T0 = 1_700_000_000_000L;
  private final List<AutoCloseable> open = new ArrayList<>();
  private InProcessBackend backend;
  private int port;

  private Jedis start() {
    backend = new InProcessBackend(new RedisStore(), () -> T0);
    RedisServer server = RedisServer.start(RedisServerConfig.defaults("127.0.0.1", 0), backend);
    open.add(server);
    open.add(backend);
    port = server.port();
    Jedis jedis = new Jedis("127.0.0.1", server.port());
    open.add(0, jedis);
    return jedis;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private long applied() {
    return backend.onLoop(executor -> executor.appliedPosition());
  }

  private static Object send(Jedis jedis, Protocol.Command command, String... args) {
    return text(jedis.sendCommand(command, args));
  }

  /** Raw replies with strings as text, so they compare with equals. */
  private static Object text(Object reply) {
    if (reply instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (reply instanceof List<?> items) {
      return items.stream().map(JedisTransactionTest::text).toList();
    }
    return reply;
  }

  @Test
  void execRepliesInOrderAndTheTransactionIsOneOrderedWrite() {
    Jedis jedis = start();
    long before = applied();
    Transaction t = jedis.multi();
    Response<String> set = t.set("a", "1");
    Response<Long> incr = t.incr("a");
    Response<String> get = t.get("a");
    List<Object> replies = t.exec();
    assertThat(replies).containsExactly("OK", 2L, "2");
    assertThat(set.get()).isEqualTo("OK");
    assertThat(incr.get()).isEqualTo(2L);
    assertThat(get.get()).isEqualTo("2");
    assertThat(applied()).as("one position for the whole transaction").isEqualTo(before + 1);
    assertThat(jedis.get("a")).isEqualTo("2");
  }

  @Test
  void discardDropsTheQueueAndNothingIsApplied() {
    Jedis jedis = start();
    jedis.set("a", "before");
    long before = applied();
    Transaction t = jedis.multi();
    t.set("a", "after");
    t.incr("n");
    assertThat(t.discard()).isEqualTo("OK");
    assertThat(applied()).isEqualTo(before);
    assertThat(jedis.get("a")).isEqualTo("before");
    assertThat(jedis.exists("n")).isFalse();
  }

  @Test
  void aQueuedSyntaxErrorMakesExecAbortAndNothingIsApplied() {
    Jedis jedis = start();
    assertThat(send(jedis, Protocol.Command.MULTI)).isEqualTo("OK");
    assertThat(send(jedis, Protocol.Command.SET, "a", "1")).isEqualTo("QUEUED");
    assertThatThrownBy(() -> send(jedis, Protocol.Command.SET, "a", "1", "NX", "XX"))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR syntax error");
    assertThatThrownBy(() -> send(jedis, Protocol.Command.GET))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR wrong number of arguments for 'get' command");
    assertThatThrownBy(() -> send(jedis, Protocol.Command.EXEC))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("EXECABORT Transaction discarded because of previous errors.");
    assertThat(jedis.exists("a")).as("the connection left MULTI and nothing ran").isFalse();
  }

  @Test
  void aRunTimeErrorInTheMiddleKeepsTheOthersApplied() {
    Jedis jedis = start();
    jedis.set("s", "text");
    Transaction t = jedis.multi();
    t.set("x", "1");
    t.incr("s");
    t.incr("x");
    List<Object> replies = t.exec();
    assertThat(replies).hasSize(3);
    assertThat(replies.get(0)).isEqualTo("OK");
    assertThat(replies.get(1)).isInstanceOf(JedisDataException.class);
    assertThat(((JedisDataException) replies.get(1)).getMessage())
        .isEqualTo("ERR value is not an integer or out of range");
    assertThat(replies.get(2)).isEqualTo(2L);
    assertThat(jedis.get("x")).isEqualTo("2");
  }

  @Test
  void nestedMultiIsAnErrorThatLeavesTheTransactionOpen() {
    Jedis jedis = start();
    send(jedis, Protocol.Command.MULTI);
    assertThatThrownBy(() -> send(jedis, Protocol.Command.MULTI))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR MULTI calls can not be nested");
    assertThat(send(jedis, Protocol.Command.INCR, "n")).isEqualTo("QUEUED");
    assertThat(send(jedis, Protocol.Command.EXEC)).isEqualTo(List.of(1L));
  }

  @Test
  void execAndDiscardWithoutMultiAreErrorsAndAnEmptyExecIsAnEmptyArray() {
    Jedis jedis = start();
    assertThatThrownBy(() -> send(jedis, Protocol.Command.EXEC))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR EXEC without MULTI");
    assertThatThrownBy(() -> send(jedis, Protocol.Command.DISCARD))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR DISCARD without MULTI");
    send(jedis, Protocol.Command.MULTI);
    assertThat(send(jedis, Protocol.Command.EXEC)).isEqualTo(List.of());
    assertThat(jedis.ping()).isEqualTo("PONG");
  }

  @Test
  void watchIsRefusedAndConnectionCommandsCannotBeQueued() {
    Jedis jedis = start();
    assertThatThrownBy(() -> jedis.watch("k")).isInstanceOf(JedisDataException.class)
        .hasMessage("ERR WATCH is not supported");
    assertThat(jedis.unwatch()).isEqualTo("OK");
    send(jedis, Protocol.Command.MULTI);
    assertThatThrownBy(() -> send(jedis, Protocol.Command.WATCH, "k"))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR WATCH inside MULTI is not allowed");
    assertThat(send(jedis, Protocol.Command.SET, "k", "v")).isEqualTo("QUEUED");
    assertThat(send(jedis, Protocol.Command.EXEC)).as("WATCH's refusal did not fail the queue")
        .isEqualTo(List.of("OK"));
    send(jedis, Protocol.Command.MULTI);
    assertThatThrownBy(() -> send(jedis, Protocol.Command.PING))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR Command not allowed inside a transaction");
    assertThatThrownBy(() -> send(jedis, Protocol.Command.EXEC))
        .isInstanceOf(JedisDataException.class).hasMessageStartingWith("EXECABORT");
  }

  /**
   * One write of the whole pipeline: the GET before MULTI is a read, so EXEC (a write) waits
   * for it, and the GET after EXEC waits for EXEC (the connection's ordering rule).
   */
  @Test
  void pipelinedTransactionsKeepTheConnectionsReadWriteOrder() throws IOException {
    Jedis jedis = start();
    jedis.set("k", "0");
    String expected = "$1\r\n0\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n:2\r\n$1\r\n2\r\n"
        + "+OK\r\n+QUEUED\r\n*1\r\n:3\r\n";
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET k\r\nMULTI\r\nINCR k\r\nINCR k\r\nEXEC\r\nGET k\r\n"
          + "MULTI\r\nINCR k\r\nEXEC\r\n").getBytes(StandardCharsets.US_ASCII));
      byte[] reply = socket.getInputStream().readNBytes(expected.length());
      assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo(expected);
    }
  }
}
