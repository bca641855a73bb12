package io.lockstep.replica;

import static io.lockstep.replica.CounterMachine.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PBFT's "last reply" rule at the replica: under the Byzantine model a retransmission of a
 * request this replica executed is answered from its session's reply, and the protocol never
 * sees it (backups prepare only requests they hold, and the replicas that already answered no
 * longer hold it, so ordering it again could never finish). Under fail-stop the retry still
 * goes to the protocol, whose leader orders it again.
 */
class ReplyCacheTest {
  private static final ClientId A = ClientId.of("a");

  private static Replica replica(ScriptedCoordination protocol, FailureModel model) {
    ExecutorConfig config = ExecutorConfig.defaults(0);
    if (model == FailureModel.BYZANTINE) {
      config = config.withFailureModel(FailureModel.BYZANTINE, 1);
    }
    return new Replica(0, protocol, new Executor(new CounterMachine(), config), 0, 0);
  }

  private static long proposals(ScriptedCoordination protocol) {
    return protocol.inputs.stream().filter(i -> i instanceof Input.Propose).count();
  }

  private static String value(Reply reply) {
    return new String(reply.value(), StandardCharsets.UTF_8);
  }

  @Test
  void byzantineRetransmissionOfAnExecutedRequestGetsItsOwnReplyWithoutOrderingIt() {
    ScriptedCoordination protocol = new ScriptedCoordination();
    Replica replica = replica(protocol, FailureModel.BYZANTINE);
    Request first = Request.command(A, 1, utf8("inc"));
    Reply executed = replica.propose(first).replies().get(0);
    replica.propose(Request.command(A, 2, utf8("inc")));
    assertThat(proposals(protocol)).isEqualTo(2);

    Effects again = replica.propose(first);
    assertThat(again.replies()).containsExactly(executed);
    assertThat(value(again.replies().get(0))).as("the reply of #1, not of #2").isEqualTo("1");
    Effects batched = replica.stepAll(List.of(new Step.Propose(first)));
    assertThat(batched.replies()).containsExactly(executed);
    assertThat(proposals(protocol)).as("never handed to the protocol again").isEqualTo(2);
    assertThat(replica.executor().appliedPosition()).isEqualTo(2);
  }

  @Test
  void byzantineRequestNotYetExecutedStillGoesToTheProtocol() {
    ScriptedCoordination protocol = new ScriptedCoordination();
    protocol.reacts = false; // nothing is ordered: the request stays unexecuted
    Replica replica = replica(protocol, FailureModel.BYZANTINE);
    Request request = Request.command(A, 1, utf8("inc"));
    assertThat(replica.propose(request).replies()).isEmpty();
    assertThat(replica.propose(request).replies()).isEmpty();
    assertThat(proposals(protocol)).isEqualTo(2);
  }

  @Test
  void failStopRetryIsOrderedAgainAndTheSessionAnswersIt() {
    ScriptedCoordination protocol = new ScriptedCoordination();
    Replica replica = replica(protocol, FailureModel.FAIL_STOP);
    Request first = Request.command(A, 1, utf8("inc"));
    Reply executed = replica.propose(first).replies().get(0);
    Effects again = replica.propose(first);
    assertThat(proposals(protocol)).isEqualTo(2);
    assertThat(again.replies()).singleElement()
        .satisfies(r -> assertThat(value(r)).isEqualTo(value(executed)));
  }

  @Test
  void executorLookupIsEmptyForUnknownClientsAndFutureSequences() {
    Executor executor = new Executor(new CounterMachine(), ExecutorConfig.defaults(0));
    assertThat(executor.cachedReply(A, 1)).isEmpty();
    Replica replica = new Replica(0, new ScriptedCoordination(), executor, 0, 0);
    replica.propose(Request.command(A, 1, utf8("inc")));
    assertThat(executor.cachedReply(A, 1)).isPresent();
    assertThat(executor.cachedReply(A, 2)).isEmpty();
  }
}
