package io.lockstep.redis;

import static io.lockstep.redis.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RedisStoreTest {
  private static final long T0 = 1_700_000_000_000L;

  private static RedisOp set(String key, String value) {
    return RedisOp.Set.of(b(key), b(value));
  }

  private static RedisOp setWith(String key, String value, RedisOp.Condition condition,
      String match) {
    return new RedisOp.Set(b(key), b(value), condition, match == null ? null : b(match),
        RedisOp.Expiry.NONE, 0, false);
  }

  private static RedisOp setPx(String key, String value, long millis) {
    return new RedisOp.Set(b(key), b(value), RedisOp.Condition.ALWAYS, null,
        RedisOp.Expiry.RELATIVE, millis, false);
  }

  @Test
  void setThenGetReturnsTheValueAndDelCountsWhatExisted() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, set("k", "v"))).isEqualTo(RespReply.OK);
    assertThat(h.redis(T0, new RedisOp.Get(b("k")))).isEqualTo(RespReply.bulk("v"));
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("v"));
    assertThat(h.redis(T0, new RedisOp.Del(List.of(b("k"), b("k"), b("nope")))))
        .isEqualTo(new RespReply.Int(1));
    assertThat(h.get("k")).isEqualTo(RespReply.NIL);
  }

  @Test
  void nxWritesOnlyAbsentKeysAndXxOnlyPresentOnes() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, setWith("k", "1", RedisOp.Condition.XX, null))).isEqualTo(RespReply.NIL);
    assertThat(h.get("k")).isEqualTo(RespReply.NIL);
    assertThat(h.redis(T0, setWith("k", "1", RedisOp.Condition.NX, null))).isEqualTo(RespReply.OK);
    assertThat(h.redis(T0, setWith("k", "2", RedisOp.Condition.NX, null))).isEqualTo(RespReply.NIL);
    assertThat(h.redis(T0, setWith("k", "3", RedisOp.Condition.XX, null))).isEqualTo(RespReply.OK);
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("3"));
  }

  @Test
  void ifeqSwapsOnlyWhenTheCurrentValueMatchesAndNeverCreatesAKey() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, setWith("k", "new", RedisOp.Condition.IFEQ, "old")))
        .isEqualTo(RespReply.NIL);
    assertThat(h.get("k")).isEqualTo(RespReply.NIL);
    h.apply(T0, set("k", "old"));
    assertThat(h.redis(T0, setWith("k", "new", RedisOp.Condition.IFEQ, "other")))
        .isEqualTo(RespReply.NIL);
    assertThat(h.redis(T0, setWith("k", "new", RedisOp.Condition.IFEQ, "old")))
        .isEqualTo(RespReply.OK);
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("new"));
  }

  @Test
  void ifneWritesWhenTheKeyIsMissingOrDiffers() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, setWith("k", "a", RedisOp.Condition.IFNE, "x"))).isEqualTo(RespReply.OK);
    assertThat(h.redis(T0, setWith("k", "b", RedisOp.Condition.IFNE, "a"))).isEqualTo(RespReply.NIL);
    assertThat(h.redis(T0, setWith("k", "b", RedisOp.Condition.IFNE, "z"))).isEqualTo(RespReply.OK);
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("b"));
  }

  @Test
  void setGetRepliesWithThePreviousValueWhetherOrNotItWrites() {
    StoreHarness h = new StoreHarness();
    RedisOp.Set nxGet = new RedisOp.Set(b("k"), b("2"), RedisOp.Condition.NX, null,
        RedisOp.Expiry.NONE, 0, true);
    assertThat(h.redis(T0, nxGet)).isEqualTo(RespReply.NIL);
    assertThat(h.redis(T0, nxGet)).isEqualTo(RespReply.bulk("2"));
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("2"));
  }

  @Test
  void incrParsesLikeRedisAndRefusesNonIntegersWithoutChangingState() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, new RedisOp.IncrBy(b("n"), 1))).isEqualTo(new RespReply.Int(1));
    assertThat(h.redis(T0, new RedisOp.IncrBy(b("n"), -10))).isEqualTo(new RespReply.Int(-9));
    for (String bad : List.of("abc", "01", "+1", " 1", "", "1.5", "99999999999999999999")) {
      h.apply(T0, set("s", bad));
      byte[] before = h.store.snapshot();
      assertThat(h.redis(T0, new RedisOp.IncrBy(b("s"), 1)))
          .isEqualTo(new RespReply.Error("ERR value is not an integer or out of range"));
      assertThat(h.store.snapshot()).isEqualTo(before);
      assertThat(h.get("s")).isEqualTo(RespReply.bulk(bad));
    }
  }

  @Test
  void incrOverflowIsRefused() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("n", Long.toString(Long.MAX_VALUE)));
    assertThat(h.redis(T0, new RedisOp.IncrBy(b("n"), 1)))
        .isEqualTo(new RespReply.Error("ERR increment or decrement would overflow"));
    assertThat(h.get("n")).isEqualTo(RespReply.bulk(Long.toString(Long.MAX_VALUE)));
  }

  @Test
  void msetSetsEveryPairAndMgetAndExistsCountLikeRedis() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, new RedisOp.MSet(List.of(b("a"), b("b"), b("a")),
        List.of(b("1"), b("2"), b("3"))))).isEqualTo(RespReply.OK);
    assertThat(h.query(new RedisOp.MGet(List.of(b("a"), b("x"), b("b")))))
        .isEqualTo(new RespReply.Array(List.of(RespReply.bulk("3"), RespReply.NIL,
            RespReply.bulk("2"))));
    assertThat(h.query(new RedisOp.Exists(List.of(b("a"), b("a"), b("x")))))
        .isEqualTo(new RespReply.Int(2));
  }

  @Test
  void keysAreBinarySafe() {
    StoreHarness h = new StoreHarness();
    byte[] key = {0, (byte) 0xFF, '\r', '\n'};
    byte[] value = {(byte) 0x80, 0};
    h.apply(T0, RedisOp.Set.of(key, value));
    assertThat(h.query(new RedisOp.Get(key))).isEqualTo(new RespReply.Bulk(value));
  }

  @Test
  void expiredKeyIsRemovedByTheTimeoutAtTheFirstPositionReachingItsTime() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, setPx("k", "v", 100));
    h.tick(T0 + 99);
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("v"));
    assertThat(h.store.size()).isEqualTo(1);
    h.tick(T0 + 100);
    assertThat(h.store.size()).isZero();
    assertThat(h.get("k")).isEqualTo(RespReply.NIL);
    assertThat(h.executor.scheduledCount()).isZero();
  }

  @Test
  void expiryFiresAtTheSamePositionOnTwoExecutorsAndTheirDigestsAgree() {
    StoreHarness a = new StoreHarness();
    StoreHarness b = new StoreHarness();
    List<Integer> sizesA = new ArrayList<>();
    List<Integer> sizesB = new ArrayList<>();
    for (StoreHarness h : List.of(a, b)) {
      List<Integer> sizes = h == a ? sizesA : sizesB;
      h.apply(T0, setPx("x", "1", 30));
      h.apply(T0 + 5, setPx("y", "2", 10));
      for (long t = T0 + 10; t <= T0 + 40; t += 7) {
        h.tick(t);
        sizes.add(h.store.size());
      }
    }
    assertThat(sizesA).containsExactly(2, 1, 1, 0, 0).isEqualTo(sizesB);
    assertThat(a.executor.digest()).isEqualTo(b.executor.digest());
  }

  @Test
  void overwritingAKeyWithATtlKeepsOneTimeoutPending() {
    StoreHarness h = new StoreHarness();
    for (int i = 0; i < 1_000; i++) {
      h.apply(T0 + i, setPx("k", "v" + i, 60_000));
    }
    assertThat(h.executor.scheduledCount()).isEqualTo(1);
    h.tick(T0 + 999 + 60_000);
    assertThat(h.get("k")).isEqualTo(RespReply.NIL);
    assertThat(h.executor.scheduledCount()).isZero();
  }

  @Test
  void setWithoutKeepTtlDiscardsTheTtlAndKeepTtlKeepsIt() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, setPx("k", "1", 50));
    h.apply(T0, new RedisOp.Set(b("k"), b("2"), RedisOp.Condition.ALWAYS, null,
        RedisOp.Expiry.KEEP, 0, false));
    h.apply(T0, new RedisOp.IncrBy(b("k"), 1));
    h.tick(T0 + 50);
    assertThat(h.get("k")).as("KEEPTTL and INCR keep the TTL").isEqualTo(RespReply.NIL);
    h.apply(T0 + 60, setPx("k", "1", 50));
    h.apply(T0 + 60, set("k", "forever"));
    h.tick(T0 + 200);
    assertThat(h.get("k")).isEqualTo(RespReply.bulk("forever"));
  }

  @Test
  void expiryTimeAlreadyReachedDeletesTheKeyAndRepliesAsIfSet() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("k", "v"));
    RedisOp past = new RedisOp.Set(b("k"), b("w"), RedisOp.Condition.ALWAYS, null,
        RedisOp.Expiry.ABSOLUTE, T0 - 1, false);
    assertThat(h.redis(T0, past)).isEqualTo(RespReply.OK);
    assertThat(h.get("k")).isEqualTo(RespReply.NIL);
  }

  @Test
  void readsTreatAKeyExpiredByAgreedTimeAsAbsentEvenBeforeItsTimeoutRuns() {
    RedisStore store = new RedisStore();
    FakeContext ctx = new FakeContext(T0);
    store.apply(RedisOpCodec.encode(setPx("k", "v", 100)), ctx);
    assertThat(ctx.scheduled).hasSize(1);
    ctx.time = T0 + 100;
    // The time-out has not run (this context never fires it): apply and query must still agree.
    byte[] get = RedisOpCodec.encode(new RedisOp.Get(b("k")));
    assertThat(RespReplies.parse(store.apply(get, ctx))).isEqualTo(RespReply.NIL);
    assertThat(RespReplies.parse(store.query(get, ctx.client()))).isEqualTo(RespReply.NIL);
  }

  @Test
  void snapshotRestoreGivesAnEqualDigestAndTheSameBehaviourAfterwards() {
    StoreHarness a = new StoreHarness();
    a.apply(T0, set("plain", "1"));
    a.apply(T0, setPx("ttl", "2", 100));
    a.apply(T0 + 1, new RedisOp.IncrBy(b("n"), 41));
    StoreHarness b = new StoreHarness();
    b.restore(a.executor.snapshot());
    assertThat(b.executor.digest()).isEqualTo(a.executor.digest());
    for (StoreHarness h : List.of(a, b)) {
      h.tick(T0 + 100);
      h.apply(T0 + 101, ClientId.of("bob"), RedisOpCodec.encode(new RedisOp.IncrBy(b("n"), 1)));
    }
    assertThat(b.get("ttl")).isEqualTo(RespReply.NIL).isEqualTo(a.get("ttl"));
    assertThat(b.get("n")).isEqualTo(RespReply.bulk("42")).isEqualTo(a.get("n"));
    assertThat(b.executor.digest()).isEqualTo(a.executor.digest());
  }

  @Test
  void storeSnapshotIsDeterministicAndRoundTrips() {
    RedisStore one = new RedisStore();
    RedisStore two = new RedisStore();
    FakeContext ctx = new FakeContext(T0);
    one.apply(RedisOpCodec.encode(set("b", "2")), ctx);
    one.apply(RedisOpCodec.encode(set("a", "1")), ctx);
    two.apply(RedisOpCodec.encode(set("a", "1")), ctx);
    two.apply(RedisOpCodec.encode(set("b", "2")), ctx);
    assertThat(one.snapshot()).isEqualTo(two.snapshot());
    RedisStore copy = new RedisStore();
    copy.restore(one.snapshot());
    assertThat(copy.snapshot()).isEqualTo(one.snapshot());
    assertThat(copy.usedBytes()).isEqualTo(one.usedBytes());
  }

  @Test
  void corruptStoreSnapshotIsRefusedAndTheStateKept() {
    RedisStore store = new RedisStore();
    store.apply(RedisOpCodec.encode(set("a", "1")), new FakeContext(T0));
    byte[] good = store.snapshot();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      assertThatThrownBy(() -> new RedisStore().restore(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    assertThatThrownBy(() -> store.restore(truncated)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.snapshot()).isEqualTo(good);
  }

  @Test
  void clientsCannotSendTheInternalExpirySweep() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, setPx("k", "v", 100));
    Reply reply = h.apply(T0 + 1, new RedisOp.Expire(T0 + 100));
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).contains("internal");
  }

  @Test
  void malformedCommandsAreRejectedWithAReason() {
    StoreHarness h = new StoreHarness();
    for (byte[] bad : List.of(new byte[0], new byte[] {9, 1}, new byte[] {1, 99},
        new byte[] {1, 1, 0, 0, 0, 5, 'a'})) {
      Reply reply = h.apply(T0, StoreHarness.ALICE, bad);
      assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
      assertThat(reply.reason()).startsWith("ERR malformed command");
    }
  }

  @Test
  void writeThatWouldExceedMaxBytesIsRefusedWithRedisOomErrorAndChangesNothing() {
    StoreHarness h = new StoreHarness(new RedisStore(200));
    assertThat(h.redis(T0, set("a", "x".repeat(50)))).isEqualTo(RespReply.OK);
    byte[] before = h.store.snapshot();
    assertThat(h.redis(T0, set("b", "x".repeat(100))))
        .isEqualTo(new RespReply.Error("OOM command not allowed when used memory > 'maxmemory'."));
    assertThat(h.store.snapshot()).isEqualTo(before);
    assertThat(h.store.usedBytes()).isEqualTo(1 + 50 + Keyspace.ENTRY_OVERHEAD);
    assertThat(h.redis(T0, set("a", "x".repeat(120)))).as("replacing frees the old value's bytes")
        .isEqualTo(RespReply.OK);
  }

  private static RedisOp expire(String key, RedisOp.ExpireCommand command, long millis,
      RedisOp.ExpireOption... options) {
    return new RedisOp.ExpireKey(b(key), command, millis, Set.of(options));
  }

  private static RedisOp pexpire(String key, long millis, RedisOp.ExpireOption... options) {
    return expire(key, RedisOp.ExpireCommand.PEXPIRE, millis, options);
  }

  private static RespReply ttl(StoreHarness h, String key, RedisOp.TtlCommand command) {
    return h.query(new RedisOp.Ttl(b(key), command));
  }

  private static RespReply pttl(StoreHarness h, String key) {
    return ttl(h, key, RedisOp.TtlCommand.PTTL);
  }

  private static RespReply.Int n(long value) {
    return new RespReply.Int(value);
  }

  @Test
  void expireSetsATtlThatCountsDownInAgreedTimeAsRequestsAreOrdered() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("k", "v"));
    assertThat(h.redis(T0, expire("k", RedisOp.ExpireCommand.EXPIRE, 10_000))).isEqualTo(n(1));
    assertThat(ttl(h, "k", RedisOp.TtlCommand.TTL)).isEqualTo(n(10));
    assertThat(pttl(h, "k")).isEqualTo(n(10_000));
    assertThat(ttl(h, "k", RedisOp.TtlCommand.PEXPIRETIME)).isEqualTo(n(T0 + 10_000));
    assertThat(ttl(h, "k", RedisOp.TtlCommand.EXPIRETIME)).isEqualTo(n((T0 + 10_000) / 1000));
    h.apply(T0 + 4_000, set("other", "write"));
    assertThat(pttl(h, "k")).as("queries see the last agreed time applied").isEqualTo(n(6_000));
    assertThat(h.redis(T0 + 4_000, new RedisOp.Ttl(b("k"), RedisOp.TtlCommand.TTL)))
        .as("a read ordered as a request sees its own agreed time").isEqualTo(n(6));
    h.tick(T0 + 10_000);
    assertThat(pttl(h, "k")).isEqualTo(n(-2));
    assertThat(h.store.size()).as("removed by the time-out, only 'other' is left").isEqualTo(1);
  }

  /**
   * StateMachine.query gets no time, and null requests are never executed (paper §3.2.1), so
   * a query's "now" stays at the last command or time-out the store applied: a TTL read
   * between writes is never lower than the truth. If the seam ever passes the executor's time
   * to queries, this test should change with it.
   */
  @Test
  void aQuerysNowIsTheLastAppliedTimeNotTheLatestNullRequest() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("k", "v"));
    h.apply(T0, pexpire("k", 10_000));
    h.tick(T0 + 4_000);
    assertThat(h.executor.time()).isEqualTo(T0 + 4_000);
    assertThat(h.store.lastTime()).isEqualTo(T0);
    assertThat(pttl(h, "k")).isEqualTo(n(10_000));
    h.tick(T0 + 10_000);
    assertThat(pttl(h, "k")).as("the expiry time-out ran and removed it").isEqualTo(n(-2));
  }

  @Test
  void ttlRoundsToTheNearestSecondHalvesUpAsRedisDoes() {
    StoreHarness h = new StoreHarness();
    long[][] pttlToTtl = {{1_499, 1}, {1_500, 2}, {1_501, 2}, {499, 0}, {500, 1}, {1, 0}};
    for (long[] pair : pttlToTtl) {
      h.apply(T0, set("k", "v"));
      h.apply(T0, pexpire("k", pair[0]));
      assertThat(pttl(h, "k")).isEqualTo(n(pair[0]));
      assertThat(ttl(h, "k", RedisOp.TtlCommand.TTL)).as("TTL for PTTL %d", pair[0])
          .isEqualTo(n(pair[1]));
    }
    h.apply(T0, expire("k", RedisOp.ExpireCommand.PEXPIREAT, 1_700_000_001_500L));
    assertThat(ttl(h, "k", RedisOp.TtlCommand.EXPIRETIME)).isEqualTo(n(1_700_000_002L));
  }

  @Test
  void missingKeysAndKeysWithoutExpiryAnswerLikeRedis() {
    StoreHarness h = new StoreHarness();
    assertThat(h.redis(T0, pexpire("nope", 100))).isEqualTo(n(0));
    assertThat(h.get("nope")).isEqualTo(RespReply.NIL);
    assertThat(h.redis(T0, new RedisOp.Persist(b("nope")))).isEqualTo(n(0));
    for (RedisOp.TtlCommand command : RedisOp.TtlCommand.values()) {
      assertThat(ttl(h, "nope", command)).isEqualTo(n(-2));
    }
    h.apply(T0, set("k", "v"));
    assertThat(h.redis(T0, new RedisOp.Persist(b("k")))).as("PERSIST without TTL").isEqualTo(n(0));
    for (RedisOp.TtlCommand command : RedisOp.TtlCommand.values()) {
      assertThat(ttl(h, "k", command)).isEqualTo(n(-1));
    }
  }

  @Test
  void nxSetsOnlyAKeyWithoutExpiryAndXxOnlyAKeyWithOne() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("k", "v"));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.XX))).isEqualTo(n(0));
    assertThat(pttl(h, "k")).isEqualTo(n(-1));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.NX))).isEqualTo(n(1));
    assertThat(h.redis(T0, pexpire("k", 9_000, RedisOp.ExpireOption.NX))).isEqualTo(n(0));
    assertThat(pttl(h, "k")).isEqualTo(n(5_000));
    assertThat(h.redis(T0, pexpire("k", 9_000, RedisOp.ExpireOption.XX))).isEqualTo(n(1));
    assertThat(pttl(h, "k")).isEqualTo(n(9_000));
  }

  @Test
  void gtNeverSetsAKeyWithoutExpiryAndLtAlwaysDoes() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("k", "v"));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.GT)))
        .as("no TTL is an infinite TTL: nothing is greater").isEqualTo(n(0));
    assertThat(h.redis(T0, pexpire("k", -1, RedisOp.ExpireOption.GT)))
        .as("options are checked before the time: the key stays").isEqualTo(n(0));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.XX, RedisOp.ExpireOption.LT)))
        .isEqualTo(n(0));
    assertThat(pttl(h, "k")).isEqualTo(n(-1));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.LT))).isEqualTo(n(1));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.GT))).as("equal")
        .isEqualTo(n(0));
    assertThat(h.redis(T0, pexpire("k", 5_000, RedisOp.ExpireOption.LT))).as("equal")
        .isEqualTo(n(0));
    assertThat(h.redis(T0, pexpire("k", 4_000, RedisOp.ExpireOption.GT))).isEqualTo(n(0));
    assertThat(h.redis(T0, pexpire("k", 6_000, RedisOp.ExpireOption.LT))).isEqualTo(n(0));
    assertThat(pttl(h, "k")).isEqualTo(n(5_000));
    assertThat(h.redis(T0, pexpire("k", 6_000, RedisOp.ExpireOption.GT, RedisOp.ExpireOption.XX)))
        .isEqualTo(n(1));
    assertThat(h.redis(T0, pexpire("k", 3_000, RedisOp.ExpireOption.LT))).isEqualTo(n(1));
    assertThat(pttl(h, "k")).isEqualTo(n(3_000));
  }

  @Test
  void anExpiryTimeAlreadyReachedDeletesTheKeyAndReplies1() {
    StoreHarness h = new StoreHarness();
    List<RedisOp> reached = List.of(expire("k", RedisOp.ExpireCommand.EXPIRE, 0),
        expire("k", RedisOp.ExpireCommand.EXPIRE, -5_000), pexpire("k", Long.MIN_VALUE),
        expire("k", RedisOp.ExpireCommand.EXPIREAT, 1_000),
        expire("k", RedisOp.ExpireCommand.PEXPIREAT, T0),
        expire("k", RedisOp.ExpireCommand.PEXPIREAT, -1),
        pexpire("k", -1, RedisOp.ExpireOption.LT));
    for (RedisOp op : reached) {
      h.apply(T0, set("k", "v"));
      assertThat(h.redis(T0, op)).as("%s", op).isEqualTo(n(1));
      assertThat(h.get("k")).isEqualTo(RespReply.NIL);
      assertThat(h.store.size()).isZero();
    }
  }

  @Test
  void relativeExpiryOverflowingTheAgreedTimeGetsRedisErrorAndChangesNothing() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, set("k", "v"));
    byte[] before = h.store.snapshot();
    assertThat(h.redis(T0, pexpire("k", Long.MAX_VALUE)))
        .isEqualTo(new RespReply.Error("ERR invalid expire time in 'pexpire' command"));
    assertThat(h.redis(T0, expire("missing", RedisOp.ExpireCommand.EXPIRE,
        Long.MAX_VALUE / 1000 * 1000))).as("refused even for a missing key, as in Redis")
        .isEqualTo(new RespReply.Error("ERR invalid expire time in 'expire' command"));
    assertThat(h.store.snapshot()).isEqualTo(before);
    assertThat(h.redis(T0, expire("k", RedisOp.ExpireCommand.PEXPIREAT, Long.MAX_VALUE)))
        .as("an absolute time cannot overflow").isEqualTo(n(1));
    assertThat(ttl(h, "k", RedisOp.TtlCommand.EXPIRETIME))
        .isEqualTo(n(Long.MAX_VALUE / 1000 + 1));
  }

  @Test
  void anEarlierExpiryArmsAnEarlierTimeoutThatRemovesTheKeyAtItsTime() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, setPx("late", "1", 60_000));
    h.apply(T0, set("k", "v"));
    assertThat(h.executor.scheduledCount()).isEqualTo(1);
    h.apply(T0, pexpire("k", 100));
    assertThat(h.executor.scheduledCount()).isEqualTo(2);
    h.tick(T0 + 99);
    assertThat(h.store.size()).isEqualTo(2);
    h.tick(T0 + 100);
    assertThat(h.store.size()).as("removed at the first position reaching its time").isEqualTo(1);
    assertThat(h.executor.scheduledCount()).isEqualTo(1);
  }

  @Test
  void aLaterExpiryOrPersistOutlivesTheArmedTimeoutWhichThenArmsTheNext() {
    StoreHarness h = new StoreHarness();
    h.apply(T0, setPx("longer", "1", 100));
    h.apply(T0, setPx("kept", "2", 100));
    h.apply(T0, pexpire("longer", 500, RedisOp.ExpireOption.GT));
    h.apply(T0, new RedisOp.Persist(b("kept")));
    assertThat(h.executor.scheduledCount()).isEqualTo(1);
    h.tick(T0 + 100);
    assertThat(h.store.size()).isEqualTo(2);
    assertThat(h.executor.scheduledCount()).as("re-armed for 'longer'").isEqualTo(1);
    h.tick(T0 + 500);
    assertThat(h.get("longer")).isEqualTo(RespReply.NIL);
    assertThat(h.get("kept")).isEqualTo(RespReply.bulk("2"));
    assertThat(h.store.size()).isEqualTo(1);
    assertThat(h.executor.scheduledCount()).isZero();
  }

  @Test
  void expiryCommandsGiveEqualDigestsAndSurviveSnapshotAndRestore() {
    StoreHarness a = new StoreHarness();
    a.apply(T0, new RedisOp.MSet(List.of(b("x"), b("y"), b("z")), List.of(b("1"), b("2"), b("3"))));
    a.apply(T0, pexpire("x", 300));
    a.apply(T0 + 1, expire("y", RedisOp.ExpireCommand.PEXPIREAT, T0 + 200));
    a.apply(T0 + 2, expire("z", RedisOp.ExpireCommand.EXPIRE, 1_000));
    a.apply(T0 + 3, new RedisOp.Persist(b("z")));
    StoreHarness b = new StoreHarness();
    b.restore(a.executor.snapshot());
    assertThat(b.executor.digest()).isEqualTo(a.executor.digest());
    for (StoreHarness h : List.of(a, b)) {
      h.tick(T0 + 200);
      assertThat(h.store.size()).isEqualTo(2);
      h.tick(T0 + 300);
      assertThat(h.store.size()).isEqualTo(1);
      assertThat(pttl(h, "z")).isEqualTo(n(-1));
    }
    assertThat(b.executor.digest()).isEqualTo(a.executor.digest());
  }

  @Test
  void expireThatCannotArmItsTimeoutIsRefusedBeforeChangingTheKey() {
    RedisStore store = new RedisStore();
    FakeContext ctx = new FakeContext(T0);
    store.apply(RedisOpCodec.encode(set("k", "v")), ctx);
    byte[] before = store.snapshot();
    ctx.refuseSchedule = true;
    assertThatThrownBy(() -> store.apply(RedisOpCodec.encode(pexpire("k", 100)), ctx))
        .isInstanceOf(io.lockstep.machine.Rejection.class).hasMessageContaining("too many");
    assertThat(store.snapshot()).isEqualTo(before);
  }

  @Test
  void queriesRefuseWrites() {
    StoreHarness h = new StoreHarness();
    assertThatThrownBy(() -> h.query(set("k", "v")))
        .isInstanceOf(io.lockstep.machine.Rejection.class);
  }

  /** A context that records scheduled commands but never runs them. */
  private static final class FakeContext implements Context {
    long time;
    boolean refuseSchedule;
    final List<byte[]> scheduled = new ArrayList<>();

    FakeContext(long time) {
      this.time = time;
    }

    @Override
    public long time() {
      return time;
    }

    @Override
    public ClientId client() {
      return StoreHarness.ALICE;
    }

    @Override
    public long position() {
      return 1;
    }

    @Override
    public RandomGenerator random() {
      return new SplittableRandom(1);
    }

    @Override
    public void schedule(byte[] command, long delayMillis) {
      if (refuseSchedule) {
        throw new io.lockstep.machine.Rejection("too many scheduled requests");
      }
      scheduled.add(command);
    }

    @Override
    public void expect(ClientId client, long deadline, byte[] defaultCommand) {
      throw new AssertionError("RedisStore never asks for default requests (paper §6)");
    }

    @Override
    public boolean isTimeout() {
      return false;
    }

    @Override
    public boolean isDefault() {
      return false;
    }
  }
}
