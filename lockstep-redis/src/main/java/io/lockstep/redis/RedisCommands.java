package io.lockstep.redis;

import io.lockstep.request.Request;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Maps Redis commands onto the replicated service (paper §2: a request names the command and its
 * arguments) and the service's outputs back onto Redis replies.
 *
 * <p>Every command is one of three kinds: a <b>write</b>, encoded as a {@link RedisOp} and
 * replicated through the order to {@link RedisStore#apply}; a <b>read</b>, encoded the same way
 * and served by {@link RedisStore#query} after ReadIndex (S12: read-only requests need no
 * ordering, yet stay linearizable); or a <b>local</b> command that the replica answers itself
 * (handshakes, INFO, CLIENT). Unknown commands, wrong arity and syntax errors are answered at
 * once with Redis's own error messages and change nothing (S17). Between {@code MULTI} and
 * {@code EXEC}, data commands are queued in the session and EXEC sends them as one write
 * ({@link TransactionCommands}).
 */
public final class RedisCommands {
  /** How a command is served. */
  public enum Kind {
    /** Served by ReadIndex through the leader, then {@code StateMachine.query}. */
    READ,
    /** Ordered and applied on every replica. */
    WRITE,
    /** Answered by this replica alone. */
    LOCAL
  }

  /** What to do with one command. */
  public sealed interface Action {
    /** Replicate {@code command} ({@link RedisOpCodec} bytes) and reply with its output. */
    record Write(byte[] command) implements Action {
      public Write {
        Objects.requireNonNull(command, "command");
      }
    }

    /** Serve {@code query} ({@link RedisOpCodec} bytes) linearizably and reply with its output. */
    record Read(byte[] query) implements Action {
      public Read {
        Objects.requireNonNull(query, "query");
      }
    }

    /** Answer {@code reply} at once; then close the connection if {@code close}. */
    record Reply(RespReply reply, boolean close) implements Action {
      public Reply {
        Objects.requireNonNull(reply, "reply");
      }
    }
  }

  /** What a connection may send before it has authenticated, as in Redis. */
  private static final java.util.Set<String> MAY_PRECEDE_AUTH = java.util.Set.of("auth",
      "hello", "quit");

  private final LocalCommands local;
  private final PasswordCheck passwords;

  /**
   * @param info the replica's status, for INFO and HELLO
   * @param connectedClients the number of open Redis connections, for INFO
   */
  public RedisCommands(Supplier<ReplicaInfo> info, IntSupplier connectedClients) {
    this(info, connectedClients, null);
  }

  /**
   * @param password the password connections must {@code AUTH} with first, or null for none
   */
  public RedisCommands(Supplier<ReplicaInfo> info, IntSupplier connectedClients,
      String password) {
    this.passwords = new PasswordCheck(password);
    this.local = new LocalCommands(Objects.requireNonNull(info, "info"),
        Objects.requireNonNull(connectedClients, "connectedClients"), passwords);
  }

  /**
   * How {@code command} will be served, without running it. Unknown commands are LOCAL (they
   * are answered with an error at once).
   */
  public Kind kind(RespCommand command) {
    CommandTable.Spec spec = CommandTable.find(command.name());
    return spec == null ? Kind.LOCAL : spec.kind();
  }

  /**
   * How {@code command} will be served on the connection of {@code session}: inside MULTI a
   * data command is only queued, answered at once without the backend, so it is LOCAL; EXEC
   * stays a write.
   */
  public Kind kind(RespCommand command, ClientSession session) {
    Kind kind = kind(command);
    return session.inTransaction() && kind != Kind.LOCAL && !command.name().equals("exec")
        ? Kind.LOCAL : kind;
  }

  /**
   * Decides what to do with {@code command}: checks it and encodes it, or runs it if it is
   * local (which may change {@code session}).
   */
  public Action dispatch(RespCommand command, ClientSession session) {
    String name = command.name();
    CommandTable.Spec spec = CommandTable.find(name);
    try {
      admit(command, spec, session);
    } catch (CommandError e) {
      // As Redis's rejectCommand: a command refused before it runs fails an open transaction.
      if (session.inTransaction()) {
        session.transaction().fail();
      }
      return new Action.Reply(new RespReply.Error(e.getMessage()), false);
    }
    try {
      if (TransactionCommands.controls(name)) {
        return TransactionCommands.run(name, session);
      }
      if (session.inTransaction() && !name.equals("quit")) {
        return queue(name, spec, command, session.transaction());
      }
      if (spec.kind() == Kind.LOCAL) {
        return local.run(name, command, session);
      }
      byte[] encoded = RedisOpCodec.encode(DataCommands.parse(name, command));
      if (spec.kind() == Kind.READ) {
        return new Action.Read(encoded);
      }
      if (encoded.length > Request.MAX_COMMAND_BYTES) {
        throw new CommandError("ERR command too large: " + encoded.length
            + " bytes once encoded, the limit is " + Request.MAX_COMMAND_BYTES);
      }
      return new Action.Write(encoded);
    } catch (CommandError e) {
      return new Action.Reply(new RespReply.Error(e.getMessage()), false);
    }
  }

  /** Authentication, a known command, arity: the checks every command passes first. */
  private void admit(RespCommand command, CommandTable.Spec spec, ClientSession session) {
    if (!passwords.admits(session) && !MAY_PRECEDE_AUTH.contains(command.name())) {
      throw new CommandError("NOAUTH Authentication required.");
    }
    if (spec == null) {
      throw unknownCommand(command);
    }
    if (!spec.arityAccepts(command.argc())) {
      throw CommandError.arity(command.name());
    }
  }

  private static Action queue(String name, CommandTable.Spec spec, RespCommand command,
      Transaction transaction) {
    try {
      return TransactionCommands.queue(name, spec, command, transaction);
    } catch (CommandError e) {
      transaction.fail();
      throw e;
    }
  }

  /**
   * The reply for a state machine output (a RESP2 reply encoded by {@link RedisStore}). A
   * malformed output is a bug in the replica, reported to the client as an internal error
   * rather than sent as broken protocol.
   */
  public static RespReply outputReply(byte[] output) {
    try {
      return RespReplies.parse(output);
    } catch (IllegalArgumentException | NullPointerException e) {
      return new RespReply.Error("ERR internal error: the replica produced a malformed reply ("
          + e.getMessage() + ")");
    }
  }

  /** The error reply for a backend failure (a {@link BackendException} or anything else). */
  public static RespReply failureReply(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof BackendException b) {
      return new RespReply.Error(b.redisError());
    }
    return new RespReply.Error("ERR internal error: " + cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
  }

  /** The reply Redis sends before closing a connection that broke the protocol. */
  public static RespReply protocolErrorReply(RespProtocolError error) {
    return new RespReply.Error(error.message());
  }

  /**
   * Redis's wording: {@code ERR unknown command 'x', with args beginning with: 'a' 'b' }, with
   * the name cut at 128 characters and the arguments listed while the list is under 128.
   */
  private static CommandError unknownCommand(RespCommand c) {
    StringBuilder args = new StringBuilder();
    for (int i = 1; i < c.argc() && args.length() < 128; i++) {
      int room = 128 - args.length();
      args.append('\'').append(truncate(c.text(i), room)).append("' ");
    }
    return new CommandError("ERR unknown command '" + truncate(c.text(0), 128)
        + "', with args beginning with: " + args);
  }

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
