package io.lockstep.redis;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the key-value commands a client sends into {@link RedisOp}s, checking their syntax the
 * way Redis does (same checks, same order, same error messages), so a malformed command is
 * answered at once and never replicated. Arity has been checked already.
 */
final class DataCommands {
  private static final String INVALID_EXPIRE = "ERR invalid expire time in 'set' command";

  private DataCommands() {}

  /**
   * @param name the lower-case command name
   * @throws CommandError for a command Redis would refuse
   */
  static RedisOp parse(String name, RespCommand c) {
    return switch (name) {
      case "get" -> new RedisOp.Get(c.arg(1));
      case "mget" -> new RedisOp.MGet(rest(c, 1));
      case "exists" -> new RedisOp.Exists(rest(c, 1));
      case "del" -> new RedisOp.Del(rest(c, 1));
      case "set" -> set(c);
      case "mset" -> mset(c);
      case "incr" -> new RedisOp.IncrBy(c.arg(1), 1);
      case "decr" -> new RedisOp.IncrBy(c.arg(1), -1);
      case "incrby" -> new RedisOp.IncrBy(c.arg(1), CommandError.integer(c.arg(2)));
      case "decrby" -> decrBy(c);
      case "expire", "pexpire", "expireat", "pexpireat" -> expire(name, c);
      case "persist" -> new RedisOp.Persist(c.arg(1));
      case "ttl", "pttl", "expiretime", "pexpiretime" ->
          new RedisOp.Ttl(c.arg(1), RedisOp.TtlCommand.valueOf(name.toUpperCase(Locale.ROOT)));
      default -> throw new IllegalStateException("no parser for data command " + name);
    };
  }

  private static List<byte[]> rest(RespCommand c, int from) {
    return c.args().subList(from, c.argc());
  }

  private static RedisOp mset(RespCommand c) {
    if (c.argc() % 2 == 0) {
      throw CommandError.arity("mset");
    }
    List<byte[]> keys = new ArrayList<>(c.argc() / 2);
    List<byte[]> values = new ArrayList<>(c.argc() / 2);
    for (int i = 1; i < c.argc(); i += 2) {
      keys.add(c.arg(i));
      values.add(c.arg(i + 1));
    }
    return new RedisOp.MSet(keys, values);
  }

  private static RedisOp decrBy(RespCommand c) {
    long by = CommandError.integer(c.arg(2));
    if (by == Long.MIN_VALUE) {
      throw new CommandError("ERR decrement would overflow");
    }
    return new RedisOp.IncrBy(c.arg(1), -by);
  }

  /**
   * The EXPIRE family, checked in Redis's order ({@code expireGenericCommand}): the options
   * first, then the integer, then the seconds-to-milliseconds conversion. The relative forms'
   * addition to the agreed time can only be checked by the store, which knows that time.
   */
  private static RedisOp expire(String name, RespCommand c) {
    RedisOp.ExpireCommand command = RedisOp.ExpireCommand.valueOf(name.toUpperCase(Locale.ROOT));
    Set<RedisOp.ExpireOption> options = expireOptions(c);
    long value = CommandError.integer(c.arg(2));
    if (command.seconds()) {
      if (value > Long.MAX_VALUE / 1000 || value < Long.MIN_VALUE / 1000) {
        throw new CommandError("ERR invalid expire time in '" + name + "' command");
      }
      value *= 1000;
    }
    return new RedisOp.ExpireKey(c.arg(1), command, value, options);
  }

  /** NX, XX, GT, LT in any case and number; anything else is Redis's "Unsupported option". */
  private static Set<RedisOp.ExpireOption> expireOptions(RespCommand c) {
    Set<RedisOp.ExpireOption> options = EnumSet.noneOf(RedisOp.ExpireOption.class);
    for (int j = 3; j < c.argc(); j++) {
      String opt = c.text(j);
      switch (opt.toUpperCase(Locale.ROOT)) {
        case "NX" -> options.add(RedisOp.ExpireOption.NX);
        case "XX" -> options.add(RedisOp.ExpireOption.XX);
        case "GT" -> options.add(RedisOp.ExpireOption.GT);
        case "LT" -> options.add(RedisOp.ExpireOption.LT);
        default -> throw new CommandError("ERR Unsupported option " + opt);
      }
    }
    String incompatible = RedisOp.ExpireKey.incompatibility(options);
    if (incompatible != null) {
      throw new CommandError("ERR " + incompatible);
    }
    return options;
  }

  /** The options of one SET, as Redis's {@code parseExtendedStringArgumentsOrReply} reads them. */
  private static final class SetOptions {
    RedisOp.Condition condition = RedisOp.Condition.ALWAYS;
    byte[] match;
    String expiryUnit;
    byte[] expiryArg;
    boolean keepTtl;
    boolean get;
  }

  private static RedisOp set(RespCommand c) {
    SetOptions o = new SetOptions();
    for (int j = 3; j < c.argc(); j++) {
      String opt = c.text(j).toUpperCase(Locale.ROOT);
      byte[] next = j + 1 < c.argc() ? c.arg(j + 1) : null;
      j += option(o, opt, next) ? 1 : 0;
    }
    RedisOp.Expiry expiry = o.keepTtl ? RedisOp.Expiry.KEEP
        : o.expiryUnit == null ? RedisOp.Expiry.NONE
        : o.expiryUnit.endsWith("AT") ? RedisOp.Expiry.ABSOLUTE : RedisOp.Expiry.RELATIVE;
    long millis = o.expiryUnit == null ? 0 : expiryMillis(o.expiryUnit, o.expiryArg);
    return new RedisOp.Set(c.arg(1), c.arg(2), o.condition, o.match, expiry, millis, o.get);
  }

  /**
   * Applies one SET option; returns true if it consumed the next argument. Conditions exclude
   * each other, as do expiries; repeating the same one is allowed (the last value wins).
   */
  private static boolean option(SetOptions o, String opt, byte[] next) {
    switch (opt) {
      case "NX", "XX" -> condition(o, RedisOp.Condition.valueOf(opt), null);
      case "IFEQ", "IFNE" -> {
        condition(o, RedisOp.Condition.valueOf(opt), require(next));
        return true;
      }
      case "GET" -> o.get = true;
      case "KEEPTTL" -> {
        if (o.expiryUnit != null) {
          throw new CommandError(CommandError.SYNTAX);
        }
        o.keepTtl = true;
      }
      case "EX", "PX", "EXAT", "PXAT" -> {
        if (o.keepTtl || (o.expiryUnit != null && !o.expiryUnit.equals(opt))) {
          throw new CommandError(CommandError.SYNTAX);
        }
        o.expiryUnit = opt;
        o.expiryArg = require(next);
        return true;
      }
      default -> throw new CommandError(CommandError.SYNTAX);
    }
    return false;
  }

  private static void condition(SetOptions o, RedisOp.Condition condition, byte[] match) {
    if (o.condition != RedisOp.Condition.ALWAYS && o.condition != condition) {
      throw new CommandError(CommandError.SYNTAX);
    }
    o.condition = condition;
    o.match = match;
  }

  private static byte[] require(byte[] next) {
    if (next == null) {
      throw new CommandError(CommandError.SYNTAX);
    }
    return next;
  }

  /** EX/EXAT are seconds, PX/PXAT milliseconds; Redis refuses zero, negatives and overflow. */
  private static long expiryMillis(String unit, byte[] arg) {
    long value = CommandError.integer(arg);
    if (value <= 0) {
      throw new CommandError(INVALID_EXPIRE);
    }
    if (unit.startsWith("E")) {
      if (value > Long.MAX_VALUE / 1000) {
        throw new CommandError(INVALID_EXPIRE);
      }
      value *= 1000;
    }
    return value;
  }
}
