package io.lockstep.redis;

/**
 * A command the service refuses before doing anything (syntax, arity, bad number): its message
 * is the Redis error line, e.g. {@code ERR syntax error}. Caught by {@link RedisCommands} and
 * answered locally; never leaves this package.
 */
final class CommandError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final String SYNTAX = "ERR syntax error";
  static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";

  CommandError(String redisError) {
    super(redisError, null, false, false);
  }

  /** Redis's wording for a wrong argument count; {@code fullName} is e.g. {@code client|setname}. */
  static CommandError arity(String fullName) {
    return new CommandError("ERR wrong number of arguments for '" + fullName + "' command");
  }

  /** Parses a Redis integer argument or fails with Redis's wording. */
  static long integer(byte[] arg) {
    try {
      return RedisNumbers.parseLong(arg);
    } catch (NumberFormatException e) {
      throw new CommandError(NOT_AN_INTEGER);
    }
  }
}
