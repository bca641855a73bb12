package io.lockstep.client;

import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Key-value commands of the replicated {@link io.lockstep.redis.RedisStore} over a
 * {@link LockstepClient}: get, set, compare-and-set, delete, incr. Writes are ordered requests;
 * {@code get} is a linearizable read through the leader. Outputs are the store's RESP2 replies,
 * decoded here; an error reply becomes a {@link RejectedException}.
 */
public final class KvClient implements AutoCloseable {
  private final ClientSession client;

  /** Wraps a session; closing this closes it if it is a {@link LockstepClient}. */
  public KvClient(ClientSession client) {
    this.client = java.util.Objects.requireNonNull(client, "client");
  }

  /** The underlying session. */
  public ClientSession client() {
    return client;
  }

  /** {@code GET key}: the value, or null if absent. */
  public CompletableFuture<byte[]> getAsync(byte[] key) {
    return client.query(RedisOpCodec.encode(new RedisOp.Get(key))).thenApply(KvClient::bulk);
  }

  /** {@code SET key value}. */
  public CompletableFuture<Void> setAsync(byte[] key, byte[] value) {
    return client.submit(RedisOpCodec.encode(RedisOp.Set.of(key, value)))
        .thenApply(r -> {
          simple(r);
          return null;
        });
  }

  /** {@code SET key value IFEQ expected}: true if the value was {@code expected} and is replaced. */
  public CompletableFuture<Boolean> casAsync(byte[] key, byte[] expected, byte[] value) {
    RedisOp.Set op = new RedisOp.Set(key, value, RedisOp.Condition.IFEQ, expected,
        RedisOp.Expiry.NONE, 0, false);
    return client.submit(RedisOpCodec.encode(op)).thenApply(r -> parse(r) != null);
  }

  /** {@code DEL key}: the number of keys removed. */
  public CompletableFuture<Long> deleteAsync(byte[] key) {
    return client.submit(RedisOpCodec.encode(new RedisOp.Del(List.of(key))))
        .thenApply(KvClient::integer);
  }

  /** {@code INCRBY key delta}: the new value. */
  public CompletableFuture<Long> incrByAsync(byte[] key, long delta) {
    return client.submit(RedisOpCodec.encode(new RedisOp.IncrBy(key, delta)))
        .thenApply(KvClient::integer);
  }

  /** Blocking {@code GET} of a UTF-8 key; null if absent. */
  public String get(String key) {
    byte[] value = LockstepClient.await(getAsync(utf8(key)).thenApply(v -> v));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** Blocking {@code SET} of UTF-8 strings. */
  public void set(String key, String value) {
    join(setAsync(utf8(key), utf8(value)));
  }

  /** Blocking compare-and-set of UTF-8 strings. */
  public boolean cas(String key, String expected, String value) {
    return join(casAsync(utf8(key), utf8(expected), utf8(value)));
  }

  /** Blocking {@code DEL}. */
  public long delete(String key) {
    return join(deleteAsync(utf8(key)));
  }

  /** Blocking {@code INCR}. */
  public long incr(String key) {
    return join(incrByAsync(utf8(key), 1));
  }

  @Override
  public void close() {
    if (client instanceof LockstepClient c) {
      c.close();
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bulk(byte[] resp) {
    Object value = parse(resp);
    if (value != null && !(value instanceof byte[])) {
      throw new LockstepException("expected a bulk string, got " + show(resp));
    }
    return (byte[]) value;
  }

  private static void simple(byte[] resp) {
    if (!(parse(resp) instanceof String)) {
      throw new LockstepException("expected +OK, got " + show(resp));
    }
  }

  private static long integer(byte[] resp) {
    if (parse(resp) instanceof Long n) {
      return n;
    }
    throw new LockstepException("expected an integer, got " + show(resp));
  }

  /**
   * Decodes one RESP2 value: a String for {@code +}, Long for {@code :}, byte[] for {@code $},
   * null for nil; {@code -} errors throw {@link RejectedException}.
   */
  static Object parse(byte[] resp) {
    if (resp.length < 3) {
      throw new LockstepException("malformed reply " + show(resp));
    }
    int eol = indexOfCrlf(resp);
    String head = new String(resp, 1, eol - 1, StandardCharsets.UTF_8);
    switch (resp[0]) {
      case '+':
        return head;
      case '-':
        throw new RejectedException(head);
      case ':':
        return Long.parseLong(head);
      case '$':
        int length = Integer.parseInt(head);
        return length < 0 ? null : Arrays.copyOfRange(resp, eol + 2, eol + 2 + length);
      default:
        throw new LockstepException("unexpected reply " + show(resp));
    }
  }

  private static int indexOfCrlf(byte[] resp) {
    for (int i = 1; i + 1 < resp.length; i++) {
      if (resp[i] == '\r' && resp[i + 1] == '\n') {
        return i;
      }
    }
    throw new LockstepException("malformed reply " + show(resp));
  }

  private static String show(byte[] resp) {
    String s = new String(resp, 0, Math.min(resp.length, 64), StandardCharsets.UTF_8);
    return "'" + s.replace("\r\n", "\\r\\n") + "'";
  }
}
