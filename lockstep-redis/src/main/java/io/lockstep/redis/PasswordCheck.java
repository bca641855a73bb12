package io.lockstep.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Redis's {@code requirepass} for the default user: with a password configured, a connection
 * must {@code AUTH} (or {@code HELLO … AUTH}) before any other command; without one, every
 * connection may run commands and {@code AUTH} behaves as Redis does with no password set.
 * Passwords are compared in constant time.
 */
final class PasswordCheck {
  private static final String USER = "default";
  private final byte[] password;

  /** @param password the password, or null for none */
  PasswordCheck(String password) {
    this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
  }

  /** True when connections must authenticate first. */
  boolean required() {
    return password != null;
  }

  /** True when {@code session} may run data commands. */
  boolean admits(ClientSession session) {
    return password == null || session.authenticated();
  }

  /**
   * {@code AUTH [user] password}: {@code OK}, marking the session authenticated, or Redis's
   * errors.
   *
   * @param user the user named, or null for the one-argument form
   */
  RespReply auth(String user, byte[] given, ClientSession session) {
    if (password == null) {
      if (user == null) {
        throw new CommandError("ERR AUTH <password> called without any password configured for "
            + "the default user. Are you sure your configuration is correct?");
      }
      if (!user.equals(USER)) {
        throw wrong();
      }
      return RespReply.OK;
    }
    if ((user != null && !user.equals(USER)) || !MessageDigest.isEqual(password, given)) {
      throw wrong();
    }
    session.authenticated(true);
    return RespReply.OK;
  }

  private static CommandError wrong() {
    return new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
  }
}
