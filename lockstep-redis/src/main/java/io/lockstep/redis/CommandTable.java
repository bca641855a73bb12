package io.lockstep.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commands this service knows, with Redis's arity convention (the count includes the name;
 * negative means "at least") and the metadata {@code COMMAND} reports.
 */
final class CommandTable {
  /**
   * One command.
   *
   * @param kind whether it is replicated, read through ReadIndex, or answered locally
   * @param flags Redis's command flags, for {@code COMMAND}
   */
  record Spec(String name, int arity, RedisCommands.Kind kind, List<String> flags, int firstKey,
      int lastKey, int step) {
    /** Redis's arity check: exact when positive, a minimum when negative. */
    boolean arityAccepts(int argc) {
      return arity > 0 ? argc == arity : argc >= -arity;
    }

    /** The entry {@code COMMAND} and {@code COMMAND INFO} return for it. */
    RespReply info() {
      List<RespReply> flagReplies = new ArrayList<>();
      flags.forEach(f -> flagReplies.add(new RespReply.Simple(f)));
      return new RespReply.Array(List.of(RespReply.bulk(name), new RespReply.Int(arity),
          new RespReply.Array(flagReplies), new RespReply.Int(firstKey),
          new RespReply.Int(lastKey), new RespReply.Int(step)));
    }
  }

  private static final Map<String, Spec> SPECS = new TreeMap<>();

  static {
    RedisCommands.Kind read = RedisCommands.Kind.READ;
    RedisCommands.Kind write = RedisCommands.Kind.WRITE;
    RedisCommands.Kind local = RedisCommands.Kind.LOCAL;
    add("get", 2, read, List.of("readonly", "fast"), 1, 1, 1);
    add("mget", -2, read, List.of("readonly", "fast"), 1, -1, 1);
    add("exists", -2, read, List.of("readonly", "fast"), 1, -1, 1);
    add("set", -3, write, List.of("write", "denyoom"), 1, 1, 1);
    add("mset", -3, write, List.of("write", "denyoom"), 1, -1, 2);
    add("del", -2, write, List.of("write"), 1, -1, 1);
    add("incr", 2, write, List.of("write", "denyoom", "fast"), 1, 1, 1);
    add("incrby", 3, write, List.of("write", "denyoom", "fast"), 1, 1, 1);
    add("decr", 2, write, List.of("write", "denyoom", "fast"), 1, 1, 1);
    add("decrby", 3, write, List.of("write", "denyoom", "fast"), 1, 1, 1);
    for (String expire : List.of("expire", "pexpire", "expireat", "pexpireat")) {
      add(expire, -3, write, List.of("write", "fast"), 1, 1, 1);
    }
    add("persist", 2, write, List.of("write", "fast"), 1, 1, 1);
    // Ordered like writes, so that "now" is the agreed time of their own position (a query has
    // no time of its own, and on an idle cluster the store's last applied time stands still).
    for (String ttl : List.of("ttl", "pttl", "expiretime", "pexpiretime")) {
      add(ttl, 2, write, List.of("readonly", "fast"), 1, 1, 1);
    }
    // EXEC is a write: the connection's ordering rule must hold it until earlier reads have
    // completed, like any write. MULTI, DISCARD, WATCH, UNWATCH only touch the connection.
    add("exec", 1, write, List.of("noscript", "loading", "stale", "skip_slowlog"), 0, 0, 0);
    for (String control : List.of("multi", "discard", "unwatch")) {
      add(control, 1, local, List.of("noscript", "loading", "stale", "fast", "allow_busy"), 0,
          0, 0);
    }
    add("watch", -2, local, List.of("noscript", "loading", "stale", "fast", "allow_busy"), 1, -1,
        1);
    add("ping", -1, local, List.of("fast", "stale"), 0, 0, 0);
    add("echo", 2, local, List.of("fast", "stale"), 0, 0, 0);
    add("client", -2, local, List.of("stale", "loading"), 0, 0, 0);
    add("info", -1, local, List.of("stale", "loading"), 0, 0, 0);
    add("command", -1, local, List.of("stale", "loading"), 0, 0, 0);
    add("select", 2, local, List.of("fast", "stale", "loading"), 0, 0, 0);
    add("quit", -1, local, List.of("fast", "stale", "loading"), 0, 0, 0);
    add("hello", -1, local, List.of("fast", "stale", "loading", "no_auth"), 0, 0, 0);
    add("auth", -2, local, List.of("fast", "stale", "loading", "no_auth"), 0, 0, 0);
  }

  private CommandTable() {}

  private static void add(String name, int arity, RedisCommands.Kind kind, List<String> flags,
      int firstKey, int lastKey, int step) {
    SPECS.put(name, new Spec(name, arity, kind, flags, firstKey, lastKey, step));
  }

  /** The command named {@code lowerCaseName}, or null. */
  static Spec find(String lowerCaseName) {
    return SPECS.get(lowerCaseName);
  }

  /** Every command, sorted by name. */
  static Collection<Spec> all() {
    return SPECS.values();
  }
}
