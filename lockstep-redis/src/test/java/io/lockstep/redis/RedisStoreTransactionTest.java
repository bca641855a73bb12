package io.lockstep.redis;

import static io.lockstep.redis.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.Rejection;
import io.lockstep.request.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RedisStore} applying MULTI/EXEC transactions ({@link RedisOp.Multi}). */
class RedisStoreTransactionTest {
  private static final long T0 = 1_700_000_000_000L;

  private static RedisOp set(String key, String value) {
    return RedisOp.Set.of(b(key), b(value));
  }

  private static RedisOp setPx(String key, String value, long millis) {
    return new RedisOp.Set(b(key), b(value), RedisOp.Condition.ALWAYS, null,
        RedisOp.Expiry.RELATIVE, millis, false);
  }

  private static RedisOp incr(String key) {
    return new RedisOp.IncrBy(b(key), 1);
  }

  private static RedisOp get(String key) {
    return new RedisOp.Get(b(key));
  }

  private static RedisOp pttl(String key) {
    return new RedisOp.Ttl(b(key), RedisOp.TtlCommand.PTTL);
  }

  private static RedisOp multi(RedisOp... ops) {
    return new RedisOp.Multi(List.of(ops));
  }

  private static RespReply.Int n(long value) {
    return new RespReply.Int(value);
  }

  @Test
  void aTransactionIsOneRequestAppliedAtOnePositionAndReadsItsOwnWrites() {
    StoreHarness h = new StoreHarness();
    long before = h.executor.appliedPosition();
    RespReply reply = h.redis(T0, multi(set("a", "1"), incr("a"), get("a"), get("missing"),
        pttl("a")));
    assertThat(h.executor.appliedPosition()).isEqualTo(before + 1);
    assertThat(reply).isEqualTo(new RespReply.Array(List.of(RespReply.OK, n(2),
        RespReply.bulk("2"), RespReply.NIL, n(-1))));
    assertThat(h.get("a")).isEqualTo(RespReply.bulk("2"));
  }

  @Test
  void twoStoresFedTheSameTransactionReachEqualDigests() {
    StoreHarness one = new StoreHarness();
    StoreHarness two = new StoreHarness();
    for (StoreHarness h : List.of(one, two)) {
      h.apply(T0, set("s", "text"));
      h.apply(T0 + 1, multi(setPx("x", "1", 50), incr("s"), incr("x"),
          new RedisOp.Del(List.of(b("nope"))), pttl("x")));
      h.tick(T0 + 60);
    }
    assertThat(one.executor.digest()).isEqualTo(two.executor.digest());
    assertThat(one.store.snapshot()).isEqualTo(two.store.snapshot());
    assertThat(one.store.size()).isEqualTo(1);
  }

  @Test
  void aRunTimeErrorGoesInItsPlaceAndTheOtherOperationsStillApply() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("s", "abc"));
    RespReply reply = h.redis(T0, multi(set("x", "1"), incr("s"), incr("x")));
    assertThat(reply).isEqualTo(new RespReply.Array(List.of(RespReply.OK,
        new RespReply.Error("ERR value is not an integer or out of range"), n(2))));
    assertThat(h.get("x")).isEqualTo(RespReply.bulk("2"));
    assertThat(h.get("s")).isEqualTo(RespReply.bulk("abc"));
  }

  @Test
  void anOperationOverTheMemoryBoundGetsOomInPlaceAndChangesNothing() {
    StoreHarness h = new StoreHarness(new RedisStore(200));
    RespReply reply = h.redis(T0, multi(set("a", "1"), set("big", "x".repeat(300)),
        get("big"), incr("a")));
    assertThat(reply).isEqualTo(new RespReply.Array(List.of(RespReply.OK,
        new RespReply.Error("OOM command not allowed when used memory > 'maxmemory'."),
        RespReply.NIL, n(2))));
  }

  @Test
  void anExpiryInsideATransactionArmsTheTimeoutThatRemovesTheKey() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, multi(setPx("k", "v", 100), set("p", "v"),
        RedisOp.ExpireKey.of(b("p"), RedisOp.ExpireCommand.PEXPIRE, 40)));
    assertThat(h.executor.scheduledCount()).as("one per earlier expiry").isEqualTo(2);
    h.tick(T0 + 39);
    assertThat(h.store.size()).isEqualTo(2);
    h.tick(T0 + 40);
    assertThat(h.store.size()).as("p removed by its time-out, not only hidden").isEqualTo(1);
    h.tick(T0 + 100);
    assertThat(h.store.size()).isZero();
    assertThat(h.executor.scheduledCount()).isZero();
  }

  @Test
  void readsInsideATransactionSeeTheKeysExpiredByItsAgreedTime() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, setPx("k", "v", 10));
    assertThat(h.redis(T0 + 10, multi(get("k"), pttl("k"), set("k", "w"), get("k"))))
        .isEqualTo(new RespReply.Array(List.of(RespReply.NIL, n(-2), RespReply.OK,
            RespReply.bulk("w"))));
  }

  @Test
  void anEmptyTransactionRepliesWithAnEmptyArray() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, multi())).isEqualTo(new RespReply.Array(List.of()));
  }

  @Test
  void transactionsAreWritesNeverQueriesAndCannotNestOrHoldTheExpirySweep() {
    StoreHarness h = new StoreHarness();
    assertThatThrownBy(() -> h.query(multi(get("k")))).isInstanceOf(Rejection.class);
    assertThatThrownBy(() -> multi(multi(get("k"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> multi(new RedisOp.Expire(T0)))
        .isInstanceOf(IllegalArgumentException.class);
    Reply reply = h.apply(T0, StoreHarness.ALICE, new byte[] {1, 12, 0, 0, 0, 9});
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).startsWith("ERR malformed command");
  }
}
