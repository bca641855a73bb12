package io.lockstep.redis;

import java.util.List;
import java.util.Locale;

/**
 * {@code CLIENT} subcommands for the calling connection: SETNAME, GETNAME, ID, INFO, SETINFO
 * (which Jedis and other clients send when they connect) and HELP.
 */
final class ClientCommand {
  private ClientCommand() {}

  static RespReply run(RespCommand c, ClientSession session) {
    String sub = c.text(1).toLowerCase(Locale.ROOT);
    switch (sub) {
      case "setname" -> {
        arity(c, 3, sub);
        session.name(validName(c.text(2)));
        return RespReply.OK;
      }
      case "getname" -> {
        arity(c, 2, sub);
        return session.name().isEmpty() ? RespReply.NIL : RespReply.bulk(session.name());
      }
      case "id" -> {
        arity(c, 2, sub);
        return new RespReply.Int(session.id());
      }
      case "info" -> {
        arity(c, 2, sub);
        return RespReply.bulk(describe(session) + "\n");
      }
      case "setinfo" -> {
        arity(c, 4, sub);
        return setInfo(c, session);
      }
      case "help" -> {
        return new RespReply.Array(List.of(
            new RespReply.Simple("CLIENT <subcommand> [<arg> ...]. Subcommands are:"),
            new RespReply.Simple("GETNAME, SETNAME <name>, ID, INFO,"),
            new RespReply.Simple("SETINFO <LIB-NAME|LIB-VER> <value>, HELP")));
      }
      default -> throw LocalCommands.unknownSubcommand(c, "CLIENT");
    }
  }

  private static void arity(RespCommand c, int argc, String sub) {
    if (c.argc() != argc) {
      throw CommandError.arity("client|" + sub);
    }
  }

  /** Redis allows names made of printable ASCII without spaces ('!' to '~'); empty clears. */
  static String validName(String name) {
    if (validNameOrNull(name) == null) {
      throw new CommandError(
          "ERR Client names cannot contain spaces, newlines or special characters.");
    }
    return name;
  }

  private static String validNameOrNull(String name) {
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < '!' || ch > '~') {
        return null;
      }
    }
    return name;
  }

  private static RespReply setInfo(RespCommand c, ClientSession session) {
    String attribute = c.text(2).toLowerCase(Locale.ROOT);
    String value = c.text(3);
    if (!value.equals(validNameOrNull(value))) {
      throw new CommandError(
          "ERR " + attribute + " cannot contain spaces, newlines or special characters.");
    }
    switch (attribute) {
      case "lib-name" -> session.libName(value);
      case "lib-ver" -> session.libVersion(value);
      default -> throw new CommandError("ERR Unrecognized option '" + c.text(2) + "'");
    }
    return RespReply.OK;
  }

  private static String describe(ClientSession s) {
    return "id=" + s.id() + " addr=" + s.remoteAddress() + " laddr=:" + s.localPort()
        + " name=" + s.name() + " db=0 lib-name=" + s.libName() + " lib-ver=" + s.libVersion()
        + " lockstep-client=" + s.clientId();
  }
}
