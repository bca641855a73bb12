package io.lockstep.redis;

import java.util.List;
import java.util.Objects;

/**
 * A key-value operation of the replicated store, after the Redis syntax has been checked: what
 * {@link RedisCommands} turns a client's command into and what {@link RedisStore} executes.
 * {@link RedisOpCodec} gives each a compact, versioned binary form: the command bytes that are
 * ordered and replicated (writes) or handed to {@code StateMachine.query} (reads).
 *
 * <p>Keys and values are binary-safe byte strings. The arrays are not copied: do not change them
 * after building an operation.
 */
public sealed interface RedisOp {
  /** True for operations that read without changing state (served by ReadIndex, S12). */
  boolean readOnly();

  /** {@code GET key}. */
  record Get(byte[] key) implements RedisOp {
    public Get {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean readOnly() {
      return true;
    }
  }

  /** {@code MGET key [key ...]}. */
  record MGet(List<byte[]> keys) implements RedisOp {
    public MGet {
      keys = nonEmpty(keys, "MGET");
    }

    @Override
    public boolean readOnly() {
      return true;
    }
  }

  /** {@code EXISTS key [key ...]}: counts every argument, repeats included, as Redis does. */
  record Exists(List<byte[]> keys) implements RedisOp {
    public Exists {
      keys = nonEmpty(keys, "EXISTS");
    }

    @Override
    public boolean readOnly() {
      return true;
    }
  }

  /** {@code DEL key [key ...]}: replies with the number of keys that existed. */
  record Del(List<byte[]> keys) implements RedisOp {
    public Del {
      keys = nonEmpty(keys, "DEL");
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /**
   * {@code SET key value [NX | XX | IFEQ match | IFNE match] [GET] [EX s | PX ms | EXAT s |
   * PXAT ms | KEEPTTL]}, with seconds already converted to milliseconds.
   *
   * @param match the value IFEQ/IFNE compares with; null for other conditions
   * @param expiryMillis the TTL (RELATIVE) or the agreed time to expire at (ABSOLUTE), in
   *     milliseconds; 0 for NONE and KEEP
   * @param get reply with the previous value (or nil) instead of OK/nil
   */
  record Set(byte[] key, byte[] value, Condition condition, byte[] match, Expiry expiry,
      long expiryMillis, boolean get) implements RedisOp {
    public Set {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(condition, "condition");
      Objects.requireNonNull(expiry, "expiry");
      boolean compares = condition == Condition.IFEQ || condition == Condition.IFNE;
      if (compares != (match != null)) {
        throw new IllegalArgumentException("a match value goes with IFEQ and IFNE only");
      }
      boolean timed = expiry == Expiry.RELATIVE || expiry == Expiry.ABSOLUTE;
      if (timed ? expiryMillis <= 0 : expiryMillis != 0) {
        throw new IllegalArgumentException("invalid expiry " + expiry + " " + expiryMillis);
      }
    }

    /** A plain {@code SET key value}. */
    public static Set of(byte[] key, byte[] value) {
      return new Set(key, value, Condition.ALWAYS, null, Expiry.NONE, 0, false);
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /** {@code MSET key value [key value ...]}: sets every pair atomically, discarding TTLs. */
  record MSet(List<byte[]> keys, List<byte[]> values) implements RedisOp {
    public MSet {
      keys = nonEmpty(keys, "MSET");
      values = nonEmpty(values, "MSET");
      if (keys.size() != values.size()) {
        throw new IllegalArgumentException(
            "MSET has " + keys.size() + " keys but " + values.size() + " values");
      }
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /** {@code INCRBY key delta} (also INCR, DECR, DECRBY): keeps the key's TTL, as Redis does. */
  record IncrBy(byte[] key, long delta) implements RedisOp {
    public IncrBy {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /**
   * The store's own time-out (paper §5.2 {@code schedule}): removes every key whose expiry
   * time is at or before {@code at}. Refused unless it arrives as a time-out.
   */
  record Expire(long at) implements RedisOp {
    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /** When SET writes. */
  enum Condition {
    /** Always. */
    ALWAYS,
    /** Only if the key is absent. */
    NX,
    /** Only if the key exists. */
    XX,
    /** Only if the key exists and its value equals the match value (compare-and-set). */
    IFEQ,
    /** If the key is absent or its value differs from the match value. */
    IFNE
  }

  /** What SET does to the key's time to live. */
  enum Expiry {
    /** Discard any TTL. */
    NONE,
    /** Expire {@code expiryMillis} after the request's agreed time (EX, PX). */
    RELATIVE,
    /** Expire at agreed time {@code expiryMillis} (EXAT, PXAT). */
    ABSOLUTE,
    /** Keep the current TTL (KEEPTTL). */
    KEEP
  }

  private static List<byte[]> nonEmpty(List<byte[]> keys, String name) {
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(name + " needs at least one key");
    }
    return List.copyOf(keys);
  }
}
