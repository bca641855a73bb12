package io.lockstep.server;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client id a machine joining from a small file uses on the seeds' client ports
 * ({@code joining-replica-N}). In the Byzantine model it proves replica N's own key (the one
 * the operator recorded with {@code member add N --key}); that identity may only ask for the
 * address book, never submit, read or run a command, so recording a machine gives it no
 * client rights it did not have.
 */
final class JoinerId {
  private static final String PREFIX = "joining-replica-";
  private static final Pattern ID = Pattern.compile(PREFIX + "(\\d{1,9})");

  private JoinerId() {}

  /** The id replica {@code replica} joins as. */
  static String of(int replica) {
    return PREFIX + replica;
  }

  /** Whether {@code clientId} is a joining machine's id (reserved: only the book is answered). */
  static boolean isJoiner(String clientId) {
    return clientId != null && clientId.startsWith(PREFIX);
  }

  /** The replica a joining machine's id names, or empty for any other id. */
  static OptionalInt replica(String clientId) {
    Matcher m = clientId == null ? null : ID.matcher(clientId);
    return m != null && m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1)))
        : OptionalInt.empty();
  }
}
