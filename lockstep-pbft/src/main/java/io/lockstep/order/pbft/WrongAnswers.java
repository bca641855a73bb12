package io.lockstep.order.pbft;

import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A Byzantine replica that runs the protocol honestly but answers every client wrongly, in
 * answers that look real: the last digit or letter of the true answer (before a trailing CRLF,
 * which ends every Redis reply) moves on by one, so {@code +OK} becomes {@code +OL}, {@code :3}
 * {@code :4}, a value {@code v19} {@code v10}, and the lengths and framing stay valid. A client
 * that took the first reply would accept it (the bytes "lie" of an earlier version were no Redis
 * reply at all, so a client refused them as malformed whatever its vote). An answer with no
 * digit or letter to change, and a Redis answer that says "nothing" (a null, an empty array or
 * an empty value, whose count or length a changed digit would break), becomes the value "0".
 */
final class WrongAnswers implements MessageInterceptor {
  /** Redis answers of nothing: changing their only digit would leave them malformed. */
  private static final List<String> NOTHING = List.of("$-1\r\n", "*-1\r\n", "*0\r\n",
      "$0\r\n\r\n");
  /** A Redis bulk string "0": the lie told where the truth was nothing. */
  private static final byte[] ZERO = "$1\r\n0\r\n".getBytes(StandardCharsets.US_ASCII);

  @Override
  public List<Ready.Outbound> intercept(int from, Ready.Outbound outbound,
      RandomGenerator random) {
    return List.of(outbound);
  }

  @Override
  public Reply reply(Reply reply, RandomGenerator random) {
    return new Reply(reply.client(), reply.sequence(), reply.status(), wrong(reply.value()),
        reply.reason(), reply.position(), reply.replica(), reply.configVersion());
  }

  @Override
  public QueryResult read(QueryResult result, RandomGenerator random) {
    return result.ok() ? new QueryResult(result.readId(), true, wrong(result.value()),
        result.reason()) : result;
  }

  /** A well-formed answer that differs from {@code answer}. */
  static byte[] wrong(byte[] answer) {
    if (NOTHING.contains(new String(answer, StandardCharsets.US_ASCII))) {
      return ZERO.clone();
    }
    boolean crlf = answer.length >= 2 && answer[answer.length - 2] == '\r'
        && answer[answer.length - 1] == '\n';
    byte[] out = answer.clone();
    for (int i = answer.length - (crlf ? 3 : 1); i >= 0; i--) {
      byte next = successor(out[i]);
      if (next != out[i]) {
        out[i] = next;
        return out;
      }
    }
    return ZERO.clone();
  }

  /** The next digit or letter, wrapping within its kind; any other byte is returned as is. */
  private static byte successor(byte b) {
    if (b >= '0' && b <= '9') {
      return (byte) (b == '9' ? '0' : b + 1);
    }
    if (b >= 'a' && b <= 'z') {
      return (byte) (b == 'z' ? 'a' : b + 1);
    }
    if (b >= 'A' && b <= 'Z') {
      return (byte) (b == 'Z' ? 'A' : b + 1);
    }
    return b;
  }
}
