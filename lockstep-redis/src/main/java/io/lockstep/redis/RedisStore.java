package io.lockstep.redis;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.SnapshotWriter;
import io.lockstep.machine.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated key-value state machine behind the Redis service (paper §1): binary-safe string
 * keys and values with optional expiry, driven only by {@link RedisOp}s in {@link RedisOpCodec}
 * form. Its outputs are RESP2-encoded replies ({@link RespReplies}), identical on every replica.
 *
 * <h2>Expiry by agreed time (paper §5.2, §6)</h2>
 * A key set with a TTL gets {@code expireAt = ctx.time() + ttl}: the agreed time of the request,
 * never a wall clock. Keys are removed by the store's own time-out {@link RedisOp.Expire}, created
 * with {@code ctx.schedule}, so every replica removes a key at the same point of the order: the
 * first position whose agreed time reaches {@code expireAt}. Rather than one time-out per key
 * (the executor bounds pending time-outs, and a key overwritten again and again would leave a
 * trail of stale ones), the store keeps one time-out armed at the earliest expiry time: when it
 * fires it removes every key due by then and arms the next. Between the moment a key's time has
 * come and the time-out firing, a key whose {@code expireAt} is at or before the agreed time is
 * treated as absent: by the request's time in {@code apply}, and by the last agreed time seen by
 * {@code apply} in {@code query}.
 *
 * <h2>The expiry commands</h2>
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT and PERSIST are writes: ordered, applied on every
 * replica, with relative times added to the request's agreed time. A new expiry earlier than
 * the armed time-out arms an earlier one (as SET does), so the single rolling time-out stays
 * at the earliest expiry. The Redis port orders TTL, PTTL, EXPIRETIME and PEXPIRETIME like
 * writes: applied at a position of their own, their "now" is that position's agreed time, the
 * leader's clock when it ordered them, so a TTL counts down while the cluster is idle. (Served
 * as a query instead, their "now" would be {@link #lastTime()}, the agreed time of the last
 * command or time-out this store applied: {@code StateMachine.query} is given no time, and
 * null requests, which carry the leader's clock, are never executed by the store (paper
 * §3.2.1). On a cluster with no writes such a TTL would read high until the next write or
 * expiry. The query form is kept for callers who accept that.) Whether a key exists does not
 * depend on this: its expiry time-out runs at the first position whose agreed time reaches
 * it.
 *
 * <h2>Semantics chosen (Redis 8.4 where Redis defines them)</h2>
 * <ul>
 *   <li>{@code SET k v IFEQ old}: writes only if {@code k} exists and its value equals
 *       {@code old} byte for byte; a missing key is not created. Reply {@code OK} if written,
 *       nil otherwise. {@code IFNE old}: writes if {@code k} is missing or differs.
 *   <li>{@code SET … GET} replies with the previous value (nil if none), written or not.
 *   <li>An expiry time already reached (e.g. {@code PXAT} in the past) deletes the key and the
 *       reply is as if the value had been set, as Redis does.
 *   <li>INCR/INCRBY/DECR/DECRBY keep the key's TTL; SET without KEEPTTL and MSET discard it.
 *   <li>EXPIRE family: reply 1 if the expiry was set or the key deleted, 0 if the key is
 *       missing or NX/XX/GT/LT refused (a key without expiry is an infinite TTL: GT never
 *       passes, LT always does); a time already reached (zero or negative TTL, a past
 *       EXPIREAT) deletes the key. Overflow gets {@code ERR invalid expire time in 'expire'
 *       command} (with the command's name), even for a missing key.
 *   <li>PERSIST: 1 if the key had an expiry and lost it, 0 otherwise.
 *   <li>TTL/EXPIRETIME round to the nearest second, halves up, as Redis does; PTTL and
 *       PEXPIRETIME are exact. -2 for a missing key, -1 for a key without expiry.
 *   <li>Errors are {@link Rejection}s thrown before any state changes, worded as Redis words
 *       them (e.g. {@code ERR value is not an integer or out of range}).
 *   <li>MULTI/EXEC arrives as one {@link RedisOp.Multi}: its operations run in order at one
 *       position and agreed time; its reply is the array of theirs, with a run-time error
 *       (e.g. INCR of a non-integer, OOM) in its operation's place while the others still run.
 *   <li>Memory is bounded by {@code maxBytes} (the same on every replica, as it decides outputs):
 *       a write that would exceed it is refused with Redis's {@code OOM} error.
 * </ul>
 *
 * <p>Single-threaded, as every {@link StateMachine}: no clocks, randomness, threads or I/O.
 */
public final class RedisStore implements StateMachine {
  private static final RespReply.Int ZERO = new RespReply.Int(0);
  private static final RespReply.Int ONE = new RespReply.Int(1);

  /** Default memory bound: 256 MiB of keys and values (estimated). */
  public static final long DEFAULT_MAX_BYTES = 256L << 20;

  private final long maxBytes;
  private Keyspace keyspace = new Keyspace();
  /** Due times of the store's pending expiry time-outs (scheduled, not yet fired). */
  private final TreeSet<Long> armed = new TreeSet<>();
  /** The largest agreed time seen by {@link #apply}: "now" for queries. */
  private long lastTime;

  /** @param maxBytes the memory bound; must be equal on every replica */
  public RedisStore(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** A store bounded by {@link #DEFAULT_MAX_BYTES}. */
  public RedisStore() {
    this(DEFAULT_MAX_BYTES);
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    RedisOp op = RedisOpCodec.decode(command);
    long now = context.time();
    RespReply reply = op instanceof RedisOp.Multi m ? transaction(m, context, now)
        : run(op, context, now);
    lastTime = Math.max(lastTime, now);
    keyspace.removeExpired(now);
    rearm(context, now);
    return RespReplies.encode(reply);
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    RedisOp op = RedisOpCodec.decode(query);
    if (!op.readOnly()) {
      throw new Rejection("ERR a write cannot be served as a read-only query");
    }
    return RespReplies.encode(read(op, lastTime));
  }

  @Override
  public byte[] snapshot() {
    return StoreSnapshot.encode(lastTime, keyspace, armed);
  }

  /**
   * Captures the keyspace by reference (O(keys), no key or value copied: entries are immutable);
   * sorting and encoding happen when the returned writer runs, off the replica's loop.
   */
  @Override
  public SnapshotWriter captureSnapshot() {
    return StoreSnapshotStream.capture(lastTime, keyspace, armed);
  }

  /**
   * Reads the snapshot incrementally into a fresh keyspace. The old keyspace is dropped first,
   * so that memory holds one state, not two; the executor has checked the whole snapshot's
   * checksum before calling this, so only a bug can make it fail midway, and then the store is
   * left empty rather than half old and half new.
   */
  @Override
  public void restore(InputStream in) throws IOException {
    keyspace = new Keyspace();
    armed.clear();
    lastTime = 0;
    lastTime = StoreSnapshotStream.read(in, keyspace, armed);
  }

  /**
   * Reads the snapshot with the same decoder as the streamed form, into a fresh keyspace that
   * replaces the old one only once the whole snapshot proved valid: a bad snapshot changes
   * nothing.
   */
  @Override
  public void restore(byte[] snapshot) {
    if (snapshot == null) {
      throw new IllegalArgumentException("store snapshot is missing");
    }
    Keyspace fresh = new Keyspace();
    TreeSet<Long> freshArmed = new TreeSet<>();
    long freshTime;
    try {
      freshTime = StoreSnapshotStream.read(new ByteArrayInputStream(snapshot), fresh, freshArmed);
    } catch (IOException e) {
      throw new IllegalArgumentException("store snapshot is unreadable: " + e.getMessage(), e);
    }
    keyspace = fresh;
    armed.clear();
    armed.addAll(freshArmed);
    lastTime = freshTime;
  }

  /** Number of keys held, counting expired keys not yet removed (for INFO and tests). */
  public int size() {
    return keyspace.size();
  }

  /** Estimated bytes of keys and values held. */
  public long usedBytes() {
    return keyspace.usedBytes();
  }

  /** The last agreed time seen by {@code apply}. */
  public long lastTime() {
    return lastTime;
  }

  private RespReply run(RedisOp op, Context context, long now) {
    return op.readOnly() ? read(op, now) : write(op, context, now);
  }

  /**
   * MULTI/EXEC: every queued operation runs in order at this one position and agreed time, each
   * seeing the state its predecessors left (paper §1: the whole transaction is one atomic
   * command). An operation refused at run time refuses before it changes anything, so its error
   * goes in its place and the rest still run, as Redis does (no rollback).
   */
  private RespReply transaction(RedisOp.Multi m, Context context, long now) {
    List<RespReply> replies = new ArrayList<>(m.ops().size());
    for (RedisOp op : m.ops()) {
      try {
        replies.add(run(op, context, now));
      } catch (Rejection refused) {
        replies.add(new RespReply.Error(refused.getMessage()));
      }
    }
    return new RespReply.Array(replies);
  }

  private RespReply read(RedisOp op, long now) {
    if (op instanceof RedisOp.Get g) {
      return value(keyspace.live(g.key(), now));
    }
    if (op instanceof RedisOp.MGet m) {
      List<RespReply> values = new ArrayList<>(m.keys().size());
      m.keys().forEach(k -> values.add(value(keyspace.live(k, now))));
      return new RespReply.Array(values);
    }
    if (op instanceof RedisOp.Exists e) {
      return new RespReply.Int(e.keys().stream().filter(k -> keyspace.live(k, now) != null).count());
    }
    if (op instanceof RedisOp.Ttl t) {
      return new RespReply.Int(ttl(t, now));
    }
    throw new IllegalStateException("not a read: " + op);
  }

  private RespReply write(RedisOp op, Context context, long now) {
    if (op instanceof RedisOp.Set s) {
      return set(s, context, now);
    }
    if (op instanceof RedisOp.Del d) {
      long removed = 0;
      for (byte[] key : d.keys()) {
        removed += keyspace.live(key, now) != null && keyspace.remove(key) != null ? 1 : 0;
      }
      return new RespReply.Int(removed);
    }
    if (op instanceof RedisOp.MSet m) {
      return mset(m);
    }
    if (op instanceof RedisOp.IncrBy i) {
      return incrBy(i, now);
    }
    if (op instanceof RedisOp.ExpireKey e) {
      return expireKey(e, context, now);
    }
    if (op instanceof RedisOp.Persist p) {
      return persist(p, now);
    }
    if (op instanceof RedisOp.Expire e) {
      if (!context.isTimeout()) {
        throw new Rejection("ERR expiry sweeps are internal time-outs, not client commands");
      }
      armed.remove(e.at());
      return RespReply.OK;
    }
    throw new IllegalStateException("not a write: " + op);
  }

  private RespReply set(RedisOp.Set s, Context context, long now) {
    Keyspace.Entry current = keyspace.live(s.key(), now);
    boolean writes = switch (s.condition()) {
      case ALWAYS -> true;
      case NX -> current == null;
      case XX -> current != null;
      case IFEQ -> current != null && Arrays.equals(current.value(), s.match());
      case IFNE -> current == null || !Arrays.equals(current.value(), s.match());
    };
    RespReply reply = s.get() ? value(current) : writes ? RespReply.OK : RespReply.NIL;
    if (!writes) {
      return reply;
    }
    long expireAt = expireAt(s, current, now);
    if (expireAt != 0 && expireAt <= now) {
      keyspace.remove(s.key());
      return reply;
    }
    checkMemory(keyspace.usedBytesAfterPut(s.key(), s.value()));
    if (expireAt != 0) {
      arm(context, expireAt, now);
    }
    keyspace.put(s.key(), new Keyspace.Entry(s.value(), expireAt));
    return reply;
  }

  private static long expireAt(RedisOp.Set s, Keyspace.Entry current, long now) {
    return switch (s.expiry()) {
      case NONE -> 0;
      case KEEP -> current == null ? 0 : current.expireAt();
      case ABSOLUTE -> s.expiryMillis();
      case RELATIVE -> {
        try {
          yield Math.addExact(now, s.expiryMillis());
        } catch (ArithmeticException e) {
          throw new Rejection("ERR invalid expire time in 'set' command");
        }
      }
    };
  }

  private RespReply mset(RedisOp.MSet m) {
    // Later pairs override earlier ones for the same key, so charge each key's last value once.
    TreeMap<byte[], byte[]> last = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < m.keys().size(); i++) {
      last.put(m.keys().get(i), m.values().get(i));
    }
    long after = keyspace.usedBytes();
    for (Map.Entry<byte[], byte[]> pair : last.entrySet()) {
      after += keyspace.usedBytesAfterPut(pair.getKey(), pair.getValue()) - keyspace.usedBytes();
    }
    checkMemory(after);
    last.forEach((key, value) -> keyspace.put(key, new Keyspace.Entry(value, 0)));
    return RespReply.OK;
  }

  private RespReply incrBy(RedisOp.IncrBy op, long now) {
    Keyspace.Entry current = keyspace.live(op.key(), now);
    long value;
    try {
      value = current == null ? 0 : RedisNumbers.parseLong(current.value());
    } catch (NumberFormatException e) {
      throw new Rejection("ERR value is not an integer or out of range");
    }
    long result;
    try {
      result = Math.addExact(value, op.delta());
    } catch (ArithmeticException e) {
      throw new Rejection("ERR increment or decrement would overflow");
    }
    byte[] text = RedisNumbers.format(result);
    checkMemory(keyspace.usedBytesAfterPut(op.key(), text));
    keyspace.put(op.key(), new Keyspace.Entry(text, current == null ? 0 : current.expireAt()));
    return new RespReply.Int(result);
  }

  /**
   * The EXPIRE family, step for step as Redis's {@code expireGenericCommand}: overflow is
   * refused even for a missing key; a missing key answers 0; then the options; then a time
   * already reached deletes the key and answers 1. A new expiry earlier than the armed
   * time-out arms an earlier one before the key changes, as SET does.
   */
  private RespReply expireKey(RedisOp.ExpireKey e, Context context, long now) {
    long when = e.millis();
    if (e.command().relative()) {
      try {
        when = Math.addExact(now, e.millis());
      } catch (ArithmeticException overflow) {
        throw new Rejection("ERR invalid expire time in '" + e.command().redisName()
            + "' command");
      }
    }
    Keyspace.Entry current = keyspace.live(e.key(), now);
    if (current == null || !expireOptionsAllow(e.options(), current.expireAt(), when)) {
      return ZERO;
    }
    // 0 means "never" in the keyspace, so a time at or before the epoch counts as reached too.
    if (when <= Math.max(now, 0)) {
      keyspace.remove(e.key());
      return ONE;
    }
    arm(context, when, now);
    keyspace.setExpiry(e.key(), when);
    return ONE;
  }

  /**
   * NX/XX/GT/LT against the key's current expiry ({@code 0} = none, an infinite TTL: GT never
   * passes and LT always does), in Redis's order.
   */
  private static boolean expireOptionsAllow(java.util.Set<RedisOp.ExpireOption> options,
      long current, long when) {
    boolean has = current != 0;
    if (options.contains(RedisOp.ExpireOption.NX) && has) {
      return false;
    }
    if (options.contains(RedisOp.ExpireOption.XX) && !has) {
      return false;
    }
    if (options.contains(RedisOp.ExpireOption.GT) && (!has || when <= current)) {
      return false;
    }
    return !(options.contains(RedisOp.ExpireOption.LT) && has && when >= current);
  }

  private RespReply persist(RedisOp.Persist p, long now) {
    Keyspace.Entry current = keyspace.live(p.key(), now);
    if (current == null || current.expireAt() == 0) {
      return ZERO;
    }
    // The armed time-out stays: when it fires it finds nothing due and arms the next one.
    keyspace.setExpiry(p.key(), 0);
    return ONE;
  }

  /**
   * TTL, PTTL, EXPIRETIME, PEXPIRETIME as Redis's {@code ttlGenericCommand}: -2 missing, -1 no
   * expiry; seconds are rounded to the nearest, halves up ({@code (ms + 500) / 1000}), computed
   * here without the overflow Redis's form has near {@code Long.MAX_VALUE}.
   */
  private long ttl(RedisOp.Ttl t, long now) {
    Keyspace.Entry entry = keyspace.live(t.key(), now);
    if (entry == null) {
      return -2;
    }
    if (entry.expireAt() == 0) {
      return -1;
    }
    long ms = t.command().absolute() ? entry.expireAt() : Math.max(0, entry.expireAt() - now);
    return t.command().millis() ? ms : ms / 1000 + (ms % 1000 >= 500 ? 1 : 0);
  }

  private void checkMemory(long after) {
    if (after > maxBytes) {
      throw new Rejection("OOM command not allowed when used memory > 'maxmemory'.");
    }
  }

  /**
   * Makes sure a time-out is pending at or before {@code at}. Called before the key is written:
   * {@code ctx.schedule} refuses when the executor's table of time-outs is full, and a refusal
   * must come before any change (paper §5.2 defensive programming).
   */
  private void arm(Context context, long at, long now) {
    if (armed.isEmpty() || armed.first() > at) {
      context.schedule(RedisOpCodec.encode(new RedisOp.Expire(at)), at - now);
      armed.add(at);
    }
  }

  /**
   * After each step: if the earliest expiry has no time-out at or before it (the one that just
   * fired removed the keys due then), arm one. If the executor's time-out table is full the
   * keys are still treated as absent once due, and the next step tries again.
   */
  private void rearm(Context context, long now) {
    long next = keyspace.nextExpiry();
    if (next == 0) {
      return;
    }
    try {
      arm(context, next, now);
    } catch (Rejection full) {
      // Deliberately ignored: see the method comment; the state stays valid without the time-out.
    }
  }

  private static RespReply value(Keyspace.Entry entry) {
    return entry == null ? RespReply.NIL : new RespReply.Bulk(entry.value());
  }
}
