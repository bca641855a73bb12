package io.lockstep.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Commands a replica answers by itself, without ordering: connection handshakes and
 * introspection that redis-cli and client libraries send (PING, ECHO, HELLO, AUTH, CLIENT,
 * SELECT, INFO, COMMAND, QUIT). None of them reads or changes the replicated state.
 */
final class LocalCommands {
  /** The Redis version whose RESP2 behaviour the service follows, as INFO and HELLO report. */
  static final String REDIS_VERSION = "7.4.0";
  static final String LOCKSTEP_VERSION = "0.1.0-SNAPSHOT";

  private final Supplier<ReplicaInfo> info;
  private final IntSupplier connectedClients;
  private final PasswordCheck passwords;

  LocalCommands(Supplier<ReplicaInfo> info, IntSupplier connectedClients,
      PasswordCheck passwords) {
    this.info = info;
    this.connectedClients = connectedClients;
    this.passwords = passwords;
  }

  /** Runs local command {@code name} (arity already checked). */
  RedisCommands.Action run(String name, RespCommand c, ClientSession session) {
    return switch (name) {
      case "quit" -> new RedisCommands.Action.Reply(RespReply.OK, true);
      case "ping" -> reply(ping(c));
      case "echo" -> reply(new RespReply.Bulk(c.arg(1)));
      case "select" -> reply(select(c));
      case "auth" -> reply(auth(c, session));
      case "hello" -> reply(hello(c, session));
      case "client" -> reply(ClientCommand.run(c, session));
      case "info" -> reply(RespReply.bulk(InfoText.render(sections(c), info.get(),
          connectedClients.getAsInt(), session)));
      case "command" -> reply(command(c));
      default -> throw new IllegalStateException("no handler for local command " + name);
    };
  }

  private static RedisCommands.Action reply(RespReply reply) {
    return new RedisCommands.Action.Reply(reply, false);
  }

  private static RespReply ping(RespCommand c) {
    if (c.argc() > 2) {
      throw CommandError.arity("ping");
    }
    return c.argc() == 1 ? RespReply.PONG : new RespReply.Bulk(c.arg(1));
  }

  private static RespReply select(RespCommand c) {
    if (CommandError.integer(c.arg(1)) != 0) {
      throw new CommandError("ERR DB index is out of range");
    }
    return RespReply.OK;
  }

  /** {@code AUTH [user] password} (see {@link PasswordCheck}). */
  private RespReply auth(RespCommand c, ClientSession session) {
    if (c.argc() > 3) {
      throw new CommandError(CommandError.SYNTAX);
    }
    return c.argc() == 2 ? passwords.auth(null, c.arg(1), session)
        : passwords.auth(c.text(1), c.arg(2), session);
  }

  /** {@code HELLO [protover [AUTH user pass] [SETNAME name]]}; only RESP2 is spoken. */
  private RespReply hello(RespCommand c, ClientSession session) {
    if (c.argc() >= 2) {
      long version;
      try {
        version = RedisNumbers.parseLong(c.arg(1));
      } catch (NumberFormatException e) {
        throw new CommandError("ERR Protocol version is not an integer or out of range");
      }
      if (version != 2) {
        throw new CommandError("NOPROTO unsupported protocol version");
      }
    }
    String newName = null;
    for (int j = 2; j < c.argc(); j++) {
      String opt = c.text(j).toUpperCase(Locale.ROOT);
      if (opt.equals("AUTH") && j + 2 < c.argc()) {
        passwords.auth(c.text(j + 1), c.arg(j + 2), session);
        j += 2;
      } else if (opt.equals("SETNAME") && j + 1 < c.argc()) {
        newName = ClientCommand.validName(c.text(j + 1));
        j++;
      } else {
        throw new CommandError("ERR Syntax error in HELLO option '" + c.text(j) + "'");
      }
    }
    if (!passwords.admits(session)) {
      throw new CommandError("NOAUTH HELLO must be called with the client already authenticated,"
          + " otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate"
          + " the client and select the RESP protocol version at the same time");
    }
    if (newName != null) {
      session.name(newName);
    }
    return new RespReply.Array(List.of(
        RespReply.bulk("server"), RespReply.bulk("redis"),
        RespReply.bulk("version"), RespReply.bulk(REDIS_VERSION),
        RespReply.bulk("proto"), new RespReply.Int(2),
        RespReply.bulk("id"), new RespReply.Int(session.id()),
        RespReply.bulk("mode"), RespReply.bulk("standalone"),
        RespReply.bulk("role"), RespReply.bulk(ReplicaInfo.roleName(info.get().role())),
        RespReply.bulk("modules"), new RespReply.Array(List.of())));
  }

  private static List<String> sections(RespCommand c) {
    List<String> sections = new ArrayList<>();
    for (int i = 1; i < c.argc(); i++) {
      sections.add(c.text(i).toLowerCase(Locale.ROOT));
    }
    return sections;
  }

  /**
   * {@code COMMAND}, {@code COMMAND COUNT}, {@code COMMAND INFO name…}, {@code COMMAND LIST} and
   * {@code COMMAND DOCS} (empty: redis-cli then falls back to its built-in help).
   */
  private static RespReply command(RespCommand c) {
    String sub = c.argc() == 1 ? "" : c.text(1).toLowerCase(Locale.ROOT);
    List<RespReply> items = new ArrayList<>();
    switch (sub) {
      case "" -> CommandTable.all().forEach(spec -> items.add(spec.info()));
      case "count" -> {
        return new RespReply.Int(CommandTable.all().size());
      }
      case "list" -> CommandTable.all().forEach(spec -> items.add(RespReply.bulk(spec.name())));
      case "docs" -> { }
      case "info" -> {
        for (int i = 2; i < c.argc(); i++) {
          CommandTable.Spec spec = CommandTable.find(c.text(i).toLowerCase(Locale.ROOT));
          items.add(spec == null ? RespReply.NIL_ARRAY : spec.info());
        }
      }
      default -> throw unknownSubcommand(c, "COMMAND");
    }
    return new RespReply.Array(items);
  }

  static CommandError unknownSubcommand(RespCommand c, String container) {
    return new CommandError("ERR unknown subcommand '" + RedisCommands.truncate(c.text(1), 128)
        + "'. Try " + container + " HELP.");
  }

  /** The text of INFO. */
  static final class InfoText {
    private InfoText() {}

    static String render(List<String> requested, ReplicaInfo replica, int clients,
        ClientSession session) {
      boolean all = requested.isEmpty() || requested.contains("all")
          || requested.contains("default") || requested.contains("everything");
      StringBuilder out = new StringBuilder();
      if (all || requested.contains("server")) {
        section(out, "Server", Map.of("redis_version", REDIS_VERSION,
            "redis_mode", "standalone", "lockstep_version", LOCKSTEP_VERSION,
            "process_id", Long.toString(replica.processId()),
            "tcp_port", Integer.toString(session.localPort())),
            List.of("redis_version", "redis_mode", "lockstep_version", "process_id", "tcp_port"));
      }
      if (all || requested.contains("clients")) {
        section(out, "Clients", Map.of("connected_clients", Integer.toString(clients)),
            List.of("connected_clients"));
      }
      if (all || requested.contains("replication")) {
        section(out, "Replication", replication(replica), List.of("role", "replica_id",
            "leader_id", "term", "commit_index", "applied_position", "protocol_role"));
      }
      if ((all || requested.contains("lockstep")) && !replica.extra().isEmpty()) {
        section(out, "Lockstep", replica.extra(), replica.extra().keySet().stream().sorted()
            .toList());
      }
      return out.toString();
    }

    private static Map<String, String> replication(ReplicaInfo r) {
      return Map.of("role", ReplicaInfo.roleName(r.role()),
          "replica_id", Integer.toString(r.replicaId()),
          "leader_id", Integer.toString(r.leader()),
          "term", Long.toString(r.term()),
          "commit_index", Long.toString(r.commitIndex()),
          "applied_position", Long.toString(r.appliedPosition()),
          "protocol_role", r.role().name().toLowerCase(Locale.ROOT));
    }

    private static void section(StringBuilder out, String title, Map<String, String> values,
        List<String> order) {
      if (out.length() > 0) {
        out.append("\r\n");
      }
      out.append("# ").append(title).append("\r\n");
      for (String key : order) {
        String value = values.get(key).replace('\r', ' ').replace('\n', ' ');
        out.append(key).append(':').append(value).append("\r\n");
      }
    }
  }
}
