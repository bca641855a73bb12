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
        throw new Invalid("a match value goes with IFEQ and IFNE only");
      }
      boolean timed = expiry == Expiry.RELATIVE || expiry == Expiry.ABSOLUTE;
      if (timed ? expiryMillis <= 0 : expiryMillis != 0) {
        throw new Invalid("invalid expiry " + expiry + " " + expiryMillis);
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
        throw new Invalid(
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

  /**
   * {@code EXPIRE key seconds}, {@code PEXPIRE key ms}, {@code EXPIREAT key unix-seconds} or
   * {@code PEXPIREAT key unix-ms}, each with {@code [NX | XX | GT | LT]}: gives an existing key
   * an expiry time. Relative forms count from the request's agreed time (paper §6), which only
   * the store knows, so their overflow is checked there; seconds are already milliseconds.
   *
   * @param millis the TTL (relative forms) or the agreed time to expire at (absolute forms), in
   *     milliseconds; any sign (a time already reached deletes the key, as in Redis)
   * @param options the conditions; NX excludes the others, GT excludes LT (Redis's rules)
   */
  record ExpireKey(byte[] key, ExpireCommand command, long millis,
      java.util.Set<ExpireOption> options)
      implements RedisOp {
    public ExpireKey {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(command, "command");
      options = java.util.Set.copyOf(Objects.requireNonNull(options, "options"));
      String incompatible = incompatibility(options);
      if (incompatible != null) {
        throw new Invalid(incompatible);
      }
    }

    /** A plain EXPIRE-family command without options. */
    public static ExpireKey of(byte[] key, ExpireCommand command, long millis) {
      return new ExpireKey(key, command, millis, java.util.Set.of());
    }

    /**
     * Redis's error text (without the {@code ERR} code) for options that exclude each other,
     * or null if {@code options} go together.
     */
    static String incompatibility(java.util.Set<ExpireOption> options) {
      if (options.contains(ExpireOption.NX) && options.size() > 1) {
        return "NX and XX, GT or LT options at the same time are not compatible";
      }
      if (options.contains(ExpireOption.GT) && options.contains(ExpireOption.LT)) {
        return "GT and LT options at the same time are not compatible";
      }
      return null;
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /** {@code PERSIST key}: removes the key's expiry; 1 if it had one, else 0. */
  record Persist(byte[] key) implements RedisOp {
    public Persist {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /**
   * {@code TTL}, {@code PTTL}, {@code EXPIRETIME} or {@code PEXPIRETIME key}: -2 if the key is
   * missing, -1 if it has no expiry, else the time left or the expiry time.
   */
  record Ttl(byte[] key, TtlCommand command) implements RedisOp {
    public Ttl {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(command, "command");
    }

    @Override
    public boolean readOnly() {
      return true;
    }
  }

  /**
   * A Redis transaction ({@code MULTI} … {@code EXEC}): the queued operations, ordered as ONE
   * command and applied by every replica at one position, one after another at that position's
   * agreed time (paper §1: a command is atomic). The reply is an array of their replies; an
   * operation that fails at run time gives its error in place and the others still run (Redis
   * does not roll back).
   *
   * @param ops the queued operations, in the order queued; neither transactions (no nesting)
   *     nor the store's own expiry time-outs
   */
  record Multi(List<RedisOp> ops) implements RedisOp {
    public Multi {
      ops = List.copyOf(Objects.requireNonNull(ops, "ops"));
      for (RedisOp op : ops) {
        if (op instanceof Multi || op instanceof Expire) {
          throw new Invalid("a transaction cannot hold "
              + op.getClass().getSimpleName());
        }
      }
    }

    @Override
    public boolean readOnly() {
      return false;
    }
  }

  /** The four commands that set an expiry time, with their unit and base. */
  enum ExpireCommand {
    /** Seconds from the request's agreed time. */
    EXPIRE(true),
    /** Milliseconds from the request's agreed time. */
    PEXPIRE(true),
    /** An absolute time in Unix seconds. */
    EXPIREAT(false),
    /** An absolute time in Unix milliseconds. */
    PEXPIREAT(false);

    private final boolean relative;

    ExpireCommand(boolean relative) {
      this.relative = relative;
    }

    /** True if the argument counts from the request's agreed time. */
    public boolean relative() {
      return relative;
    }

    /** True if the argument is in seconds. */
    public boolean seconds() {
      return this == EXPIRE || this == EXPIREAT;
    }

    /** The lower-case name Redis puts in its error messages. */
    public String redisName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The conditions of the EXPIRE family; a key without expiry counts as an infinite TTL. */
  enum ExpireOption {
    /** Only if the key has no expiry. */
    NX,
    /** Only if the key has an expiry. */
    XX,
    /** Only if the new expiry is later than the current one (so never without one). */
    GT,
    /** Only if the new expiry is earlier than the current one (always without one). */
    LT
  }

  /** The four expiry reads. */
  enum TtlCommand {
    /** Time left, in seconds rounded to the nearest (half up), as Redis rounds. */
    TTL,
    /** Time left in milliseconds. */
    PTTL,
    /** The expiry time in Unix seconds, rounded to the nearest. */
    EXPIRETIME,
    /** The expiry time in Unix milliseconds. */
    PEXPIRETIME;

    /** True for EXPIRETIME and PEXPIRETIME. */
    public boolean absolute() {
      return this == EXPIRETIME || this == PEXPIRETIME;
    }

    /** True for PTTL and PEXPIRETIME. */
    public boolean millis() {
      return this == PTTL || this == PEXPIRETIME;
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
      throw new Invalid(name + " needs at least one key");
    }
    return List.copyOf(keys);
  }

  /**
   * An operation's own argument check failed. Its message is Lockstep's text built from the
   * arguments only, so it may go into a replicated reply (the same on every replica), unlike
   * the message of an {@link IllegalArgumentException} thrown by the JDK.
   */
  final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }
}
