package io.lockstep.redis;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link RedisStore} behind a real {@link Executor}, fed stable requests by hand. */
final class StoreHarness {
  static final ClientId ALICE = ClientId.of("alice");
  static final ClientId TICKER = ClientId.of("ticker");

  final RedisStore store;
  final Executor executor;
  private final Map<ClientId, Long> sequences = new HashMap<>();
  private long position;

  StoreHarness(RedisStore store) {
    this.store = store;
    this.executor = new Executor(store, ExecutorConfig.defaults(1));
  }

  StoreHarness() {
    this(new RedisStore());
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Orders {@code op} from ALICE at agreed time {@code time}; returns its reply. */
  Reply apply(long time, RedisOp op) {
    return apply(time, ALICE, RedisOpCodec.encode(op));
  }

  Reply apply(long time, ClientId client, byte[] command) {
    long sequence = sequences.merge(client, 1L, Long::sum);
    List<Reply> replies = order(time, Request.command(client, sequence, command));
    return replies.stream().filter(r -> r.client().equals(client) && r.sequence() == sequence)
        .findFirst().orElseThrow();
  }

  /** The reply as Redis would send it; a rejection becomes its error line. */
  RespReply redis(long time, RedisOp op) {
    Reply reply = apply(time, op);
    return reply.status() == Reply.Status.OK ? RespReplies.parse(reply.value())
        : new RespReply.Error(reply.reason());
  }

  /** Orders a null request at {@code time} (time passes; due time-outs fire). */
  void tick(long time) {
    order(time, Request.nullRequest(TICKER, sequences.merge(TICKER, 1L, Long::sum)));
  }

  RespReply query(RedisOp op) {
    return RespReplies.parse(executor.query(ALICE, RedisOpCodec.encode(op)));
  }

  RespReply get(String key) {
    return query(new RedisOp.Get(b(key)));
  }

  /** Installs another replica's executor snapshot and continues after its position. */
  void restore(byte[] snapshot) {
    executor.restore(snapshot);
    position = executor.appliedPosition();
  }

  private List<Reply> order(long time, Request request) {
    position++;
    return executor.apply(new Ordered(position, time, request));
  }
}
