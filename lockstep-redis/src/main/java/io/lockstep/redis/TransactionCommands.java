package io.lockstep.redis;

import io.lockstep.request.Request;
import java.util.List;
import java.util.Set;

/**
 * Redis transactions: {@code MULTI}, {@code EXEC}, {@code DISCARD}, and the queuing of data
 * commands in between. The queue lives in the connection's {@link ClientSession}; nothing
 * reaches the replicated service until EXEC, which sends the whole queue as ONE ordered write,
 * a {@link RedisOp.Multi}, that every replica applies at one position (paper §1: a command is
 * atomic; §3: one position in the order for the whole transaction).
 *
 * <p>Semantics (Redis 8 where this service follows it):
 * <ul>
 *   <li>While queuing, a data command is checked exactly as outside a transaction and answered
 *       {@code +QUEUED}; one that fails the checks (unknown command, arity, syntax) is answered
 *       with its error and EXEC then answers {@code EXECABORT}.
 *   <li>Connection commands are not queued: QUIT still closes at once; every other local
 *       command (PING, ECHO, CLIENT, INFO…) is refused with Redis's {@code ERR Command not
 *       allowed inside a transaction} and fails the transaction. (Redis queues PING and ECHO;
 *       answering them in EXEC's array would need replies that no replica computes.)
 *   <li>WATCH is not supported (optimistic locking would need per-key versions in the
 *       replicated state): outside MULTI it answers {@code ERR WATCH is not supported};
 *       UNWATCH answers OK there, as nothing is ever watched. Inside MULTI both answer
 *       {@code ERR WATCH inside MULTI is not allowed} and leave the transaction as it was.
 *   <li>A transaction whose encoding would exceed {@link Request#MAX_COMMAND_BYTES} is refused
 *       at EXEC with an {@code ERR} and discarded.
 * </ul>
 */
final class TransactionCommands {
  /** Commands that control transactions: run at once, never queued. */
  private static final Set<String> CONTROL = Set.of("multi", "exec", "discard", "watch",
      "unwatch");

  static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

  private TransactionCommands() {}

  /** True for MULTI, EXEC, DISCARD, WATCH and UNWATCH. */
  static boolean controls(String name) {
    return CONTROL.contains(name);
  }

  /**
   * Runs a control command (arity already checked).
   *
   * @throws CommandError for a command Redis would refuse; it does not fail the transaction
   */
  static RedisCommands.Action run(String name, ClientSession session) {
    return switch (name) {
      case "multi" -> {
        if (session.inTransaction()) {
          throw new CommandError("ERR MULTI calls can not be nested");
        }
        session.beginTransaction();
        yield reply(RespReply.OK);
      }
      case "exec" -> exec(session);
      case "discard" -> {
        if (session.endTransaction() == null) {
          throw new CommandError("ERR DISCARD without MULTI");
        }
        yield reply(RespReply.OK);
      }
      case "watch" -> throw new CommandError(session.inTransaction()
          ? "ERR WATCH inside MULTI is not allowed" : "ERR WATCH is not supported");
      case "unwatch" -> {
        if (session.inTransaction()) {
          throw new CommandError("ERR WATCH inside MULTI is not allowed");
        }
        yield reply(RespReply.OK);
      }
      default -> throw new IllegalStateException("no handler for transaction command " + name);
    };
  }

  /**
   * Queues data command {@code name} (arity already checked) in the session's transaction.
   *
   * @throws CommandError if the command cannot be queued; the caller fails the transaction
   */
  static RedisCommands.Action queue(String name, CommandTable.Spec spec, RespCommand command,
      Transaction transaction) {
    if (spec.kind() == RedisCommands.Kind.LOCAL) {
      throw new CommandError("ERR Command not allowed inside a transaction");
    }
    RedisOp op = DataCommands.parse(name, command);
    transaction.queue(op, RedisOpCodec.encode(op).length);
    return reply(new RespReply.Simple("QUEUED"));
  }

  /**
   * EXEC ends the transaction whatever happens: after EXECABORT or a refusal the connection is
   * out of MULTI, so that pipelined transactions that follow are not queued into this one.
   */
  private static RedisCommands.Action exec(ClientSession session) {
    Transaction transaction = session.endTransaction();
    if (transaction == null) {
      throw new CommandError("ERR EXEC without MULTI");
    }
    if (transaction.failed()) {
      throw new CommandError(EXECABORT);
    }
    if (transaction.tooLarge()) {
      throw tooLarge(transaction.encodedBytes());
    }
    List<RedisOp> ops = transaction.queued();
    if (ops.isEmpty()) {
      return reply(new RespReply.Array(List.of()));
    }
    byte[] encoded = RedisOpCodec.encode(new RedisOp.Multi(ops));
    if (encoded.length > Request.MAX_COMMAND_BYTES) {
      throw tooLarge(encoded.length);
    }
    return new RedisCommands.Action.Write(encoded);
  }

  private static CommandError tooLarge(long bytes) {
    return new CommandError("ERR transaction too large: " + bytes
        + " bytes once encoded, the limit is " + Request.MAX_COMMAND_BYTES
        + "; it was discarded");
  }

  private static RedisCommands.Action reply(RespReply reply) {
    return new RedisCommands.Action.Reply(reply, false);
  }
}
