package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ordered;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A refused request's reply is replicated state (cached in the session, so in snapshots and
 * digests): when user code throws, the reply must not depend on the exception's message or
 * class, which can differ between JDK versions, vendors, locales and builds.
 */
class FailureTextDeterminismTest {
  /** Counts applies; "throw" fails with an exception this replica's "JDK" words its own way. */
  private static final class Flaky implements StateMachine {
    private final RuntimeException thrown;
    private long applied;

    Flaky(RuntimeException thrown) {
      this.thrown = thrown;
    }

    @Override
    public byte[] apply(byte[] command, Context context) {
      applied++;
      if (new String(command, StandardCharsets.UTF_8).equals("throw")) {
        throw thrown;
      }
      return Long.toString(applied).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] query(byte[] query, ClientId caller) {
      return new byte[0];
    }

    @Override
    public byte[] snapshot() {
      return Long.toString(applied).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void restore(byte[] snapshot) {
      applied = Long.parseLong(new String(snapshot, StandardCharsets.UTF_8));
    }
  }

  private static List<Reply> run(Executor executor, String... commands) {
    List<Reply> replies = new ArrayList<>();
    long position = 0;
    for (String c : commands) {
      replies.addAll(executor.apply(new Ordered(++position, position, Request.command(
          ClientId.of("a"), position, c.getBytes(StandardCharsets.UTF_8)))));
    }
    return replies;
  }

  @Test
  void aThrowingCommandGetsTheSameReplyAndDigestWhateverTheExceptionSays() {
    Executor one = new Executor(new Flaky(new ArrayIndexOutOfBoundsException(
        "Index 5 out of bounds for length 5")), ExecutorConfig.defaults(1));
    Executor two = new Executor(new Flaky(new IndexOutOfBoundsException("Index: 5, Size: 5")),
        ExecutorConfig.defaults(2));
    List<Reply> a = run(one, "x", "throw", "y");
    List<Reply> b = run(two, "x", "throw", "y");

    assertThat(a.get(1).status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(a.get(1).reason()).isEqualTo(Executor.COMMAND_FAILED)
        .doesNotContain("Index").doesNotContain("Exception");
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).sameOutput(b.get(i))).as("reply %d", i).isTrue();
    }
    assertThat(one.digest()).isEqualTo(two.digest());
  }

  @Test
  void aThrowingAuthorizerGetsTheSameReplyAndDigestWhateverTheExceptionSays() {
    Executor one = new Executor(new Flaky(new IllegalStateException()),
        ExecutorConfig.defaults(1).withAuthorizer((client, command) -> {
          if (command.length == 5) {
            throw new IllegalArgumentException("en_US wording");
          }
          return Optional.empty();
        }));
    Executor two = new Executor(new Flaky(new IllegalStateException()),
        ExecutorConfig.defaults(2).withAuthorizer((client, command) -> {
          if (command.length == 5) {
            throw new UnsupportedOperationException("de_DE Formulierung");
          }
          return Optional.empty();
        }));
    List<Reply> a = run(one, "x", "throw", "y");
    List<Reply> b = run(two, "x", "throw", "y");

    assertThat(a.get(1).reason()).isEqualTo(Executor.AUTHORIZER_FAILED);
    assertThat(a.get(1).sameOutput(b.get(1))).isTrue();
    assertThat(one.digest()).isEqualTo(two.digest());
  }

  @Test
  void aThrowingMergerGetsTheSameRefusalWhateverTheExceptionSays() {
    ClientId sensor = ClientId.of("s");
    Reply a = mergeFailure(new ArithmeticException("/ by zero"), 1);
    Reply b = mergeFailure(new ArithmeticException("division par zéro"), 2);
    assertThat(a.client()).isEqualTo(sensor);
    assertThat(a.reason()).isEqualTo(ReplicatedInputs.MERGE_FAILED);
    assertThat(a.sameOutput(b)).isTrue();
  }

  private static Reply mergeFailure(RuntimeException thrown, int replica) {
    Executor executor = new Executor(new Flaky(new IllegalStateException()),
        ExecutorConfig.defaults(replica).withFailureModel(FailureModel.BYZANTINE, 1)
            .withReplicatedClients(Map.of(ClientId.of("s"), 3), copies -> {
              throw thrown;
            }));
    List<Reply> replies = new ArrayList<>();
    long position = 0;
    for (String from : new String[] {"s1", "s2", "s3"}) {
      replies.addAll(executor.apply(new Ordered(++position, position,
          new Request(ClientId.of("s"), 1, Request.Kind.COMMAND,
              from.getBytes(StandardCharsets.UTF_8), ClientId.of(from)))));
    }
    assertThat(replies).hasSize(1);
    return replies.get(0);
  }
}
