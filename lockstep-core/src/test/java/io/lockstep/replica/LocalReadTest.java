package io.lockstep.replica;

import static io.lockstep.replica.CounterMachine.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Paper §3 relaxation: under fail-stop a read-only request may go to one replica. Such a read is
 * answered at once from the replica's applied state, follower or not: possibly stale, never
 * ahead of what is stable, and refused when the caller needs a position the replica lacks or the
 * failure model is Byzantine.
 */
class LocalReadTest {
  private static final ClientId A = ClientId.of("a");

  private final ScriptedCoordination coordination = new ScriptedCoordination();

  private Replica replica(ExecutorConfig config) {
    return new Replica(0, coordination, new Executor(new CounterMachine(), config), 0, 0);
  }

  private static Request inc(long sequence) {
    return Request.command(A, sequence, utf8("inc"));
  }

  private void makeStable(Replica replica, long position, Request request) {
    coordination.queued.add(new Ready(List.of(), List.of(), null,
        List.of(new Ordered(position, 0, request)), List.of(), List.of()));
    coordination.commitIndex = position;
    replica.tick(1, 1);
  }

  @Test
  void oneReplicaReadUnderFailStopIsServedAtOnceByAFollowerAndLagsWhatIsNotYetStable() {
    Replica follower = replica(ExecutorConfig.defaults(0));
    coordination.role = Role.FOLLOWER;
    coordination.reacts = false;
    makeStable(follower, 1, inc(1));
    // Proposed but not stable: a one-replica read must not see it (it may never be ordered).
    follower.propose(inc(2));
    LocalRead stale = follower.readLocal(A, utf8("count"), 0);
    assertThat(stale.ok()).isTrue();
    assertThat(text(stale.value())).isEqualTo("1");
    assertThat(stale.position()).isEqualTo(1);

    makeStable(follower, 2, inc(2));
    LocalRead fresh = follower.readLocal(A, utf8("count"), 0);
    assertThat(text(fresh.value())).isEqualTo("2");
    assertThat(fresh.position()).as("answers at one replica never go back").isEqualTo(2);
    assertThat(coordination.inputs).as("no protocol round, no ReadIndex")
        .noneMatch(i -> i instanceof io.lockstep.order.Input.Read);
  }

  @Test
  void oneReplicaReadRefusesWhenTheReplicaHasNotAppliedTheCallersOwnWrite() {
    Replica replica = replica(ExecutorConfig.defaults(0));
    coordination.reacts = false;
    makeStable(replica, 1, inc(1));
    LocalRead behind = replica.readLocal(A, utf8("count"), 2);
    assertThat(behind.ok()).isFalse();
    assertThat(behind.behind()).as("another replica, or this one later, may answer").isTrue();
    assertThat(behind.reason()).contains("applied position 1").contains("behind the requested 2");
    assertThat(replica.readLocal(A, utf8("count"), 1).ok()).isTrue();
  }

  @Test
  void oneReplicaReadIsRefusedUnderByzantineFaultsWhereOneAnswerCouldBeALie() {
    Replica replica = replica(ExecutorConfig.defaults(0).withFailureModel(FailureModel.BYZANTINE, 1));
    LocalRead refused = replica.readLocal(A, utf8("count"), 0);
    assertThat(refused.ok()).isFalse();
    assertThat(refused.behind()).as("no other replica may answer either").isFalse();
    assertThat(refused.reason()).contains("fail-stop");
  }

  @Test
  void oneReplicaReadPassesOnTheMachinesRefusal() {
    LocalRead refused = replica(ExecutorConfig.defaults(0)).readLocal(A, utf8("bad"), 0);
    assertThat(refused.ok()).isFalse();
    assertThat(refused.behind()).isFalse();
    assertThat(refused.reason()).isEqualTo("bad query");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
