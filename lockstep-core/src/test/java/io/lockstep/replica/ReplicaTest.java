package io.lockstep.replica;

import static io.lockstep.replica.CounterMachine.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replica glue carries out every non-I/O effect of the coordination protocol. */
class ReplicaTest {
  private static final ClientId A = ClientId.of("a");

  private final ScriptedCoordination coordination = new ScriptedCoordination();
  private final CounterMachine machine = new CounterMachine();
  private Replica replica = replica(0, 0);

  private Replica replica(long snapshotEvery, long digestEvery) {
    return new Replica(0, coordination, new Executor(machine, ExecutorConfig.defaults(0)),
        snapshotEvery, digestEvery);
  }

  private static Request inc(long sequence) {
    return Request.command(A, sequence, utf8("inc"));
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void stableRequestsAreAppliedAndTheirRepliesReturned() {
    Effects effects = replica.propose(inc(1));
    assertThat(effects.replies()).extracting(Reply::sequence).containsExactly(1L);
    assertThat(text(effects.replies().get(0).value())).isEqualTo("1");
    assertThat(replica.appliedPosition()).isEqualTo(1);
  }

  @Test
  void writesAndMessagesArePassedThroughInOrder() {
    StorageWrite hard = new StorageWrite.HardState(new byte[] {3, 1});
    Ready.Outbound out = new Ready.Outbound(1, new io.lockstep.order.ProtocolMessage() {});
    coordination.queued.add(new Ready(List.of(hard), List.of(out), null, List.of(), List.of(),
        List.of()));
    Effects effects = replica.tick(5, 5);
    assertThat(effects.writes()).containsExactly(hard);
    assertThat(effects.messages()).containsExactly(out);
  }

  @Test
  void readWaitsUntilItsGrantedPositionIsApplied() {
    replica.propose(inc(1));
    coordination.reacts = false;
    coordination.queued.add(new Ready(List.of(), List.of(), null, List.of(),
        List.of(new Ready.ReadGrant(7, 2)), List.of()));
    Effects waiting = replica.read(7, A, utf8("count"));
    assertThat(waiting.reads()).isEmpty();
    assertThat(replica.pendingReads()).isEqualTo(1);

    coordination.queued.add(new Ready(List.of(), List.of(), null,
        List.of(new Ordered(2, 0, inc(2))), List.of(), List.of()));
    coordination.commitIndex = 2;
    Effects served = replica.tick(1, 1);
    assertThat(served.reads()).hasSize(1);
    assertThat(served.reads().get(0).ok()).isTrue();
    assertThat(text(served.reads().get(0).value())).isEqualTo("2");
  }

  @Test
  void readGrantedAtANoOpPositionIsServedOnceEverythingUpToItWasHandedOut() {
    replica.propose(inc(1));
    coordination.commitIndex = 2;
    Effects effects = replica.read(1, A, utf8("count"));
    assertThat(effects.reads()).extracting(QueryResult::ok).containsExactly(true);
    assertThat(replica.appliedPosition()).isEqualTo(1);
  }

  @Test
  void appliedThroughCountsNoOpPositionsThatAppliedPositionSkips() {
    replica.propose(inc(1));
    coordination.commitIndex = 2;
    replica.tick(1, 1);
    assertThat(replica.appliedPosition()).isEqualTo(1);
    assertThat(replica.appliedThrough()).isEqualTo(2);
  }

  @Test
  void refusedQueryBecomesARefusedResult() {
    QueryResult result = replica.read(1, A, utf8("bad")).reads().get(0);
    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).isEqualTo("bad query");
    assertThat(result.value()).isEmpty();
  }

  @Test
  void readRedirectedByAFollowerIsForgotten() {
    coordination.role = Role.FOLLOWER;
    Effects effects = replica.read(4, A, utf8("count"));
    assertThat(effects.redirects()).extracting(Ready.Redirect::readId).containsExactly(4L);
    assertThat(replica.pendingReads()).isZero();
    coordination.role = Role.LEADER;
    assertThat(replica.read(4, A, utf8("count")).reads()).extracting(QueryResult::readId)
        .containsExactly(4L);
  }

  @Test
  void stepAllStepsEveryInputBeforeDrainingOnceAndMergesTheEffects() {
    List<String> calls = new java.util.ArrayList<>();
    ScriptedCoordination recording = new ScriptedCoordination() {
      @Override
      public void step(Input input) {
        calls.add(input.getClass().getSimpleName());
        super.step(input);
      }

      @Override
      public Ready ready() {
        calls.add("ready");
        return super.ready();
      }
    };
    Replica r = new Replica(0, recording, new Executor(machine, ExecutorConfig.defaults(0)), 0, 0);
    Effects effects = r.stepAll(List.of(new Step.Propose(inc(1)), new Step.Propose(inc(2)),
        new Step.Read(9, A, utf8("count"))));
    assertThat(calls.subList(0, 4)).containsExactly("Propose", "Propose", "Read", "ready");
    assertThat(effects.replies()).extracting(Reply::sequence).containsExactly(1L, 2L);
    assertThat(effects.reads()).extracting(QueryResult::readId).containsExactly(9L);
    assertThat(text(effects.reads().get(0).value())).isEqualTo("2");
  }

  @Test
  void stepAllRefusesARepeatedReadIdBeforeSteppingAnything() {
    assertThatThrownBy(() -> replica.stepAll(List.of(new Step.Propose(inc(1)),
        new Step.Read(3, A, utf8("count")), new Step.Read(3, A, utf8("count")))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already pending");
    assertThat(coordination.inputs).isEmpty();
    assertThat(replica.appliedPosition()).isZero();
  }

  @Test
  void aDuplicateReadIdIsRefused() {
    ScriptedCoordination silent = new ScriptedCoordination();
    silent.reacts = false;
    Replica r = new Replica(0, silent, new Executor(machine, ExecutorConfig.defaults(0)), 0, 0);
    r.read(1, A, utf8("x"));
    assertThatThrownBy(() -> r.read(1, A, utf8("x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already pending");
  }

  @Test
  void snapshotIsTakenEveryNPositionsAndItsWritesJoinTheSameEffects() {
    replica = replica(3, 0);
    replica.propose(inc(1));
    replica.propose(inc(2));
    Effects third = replica.propose(inc(3));
    List<Input.SnapshotTaken> taken = coordination.inputsOf(Input.SnapshotTaken.class);
    assertThat(taken).hasSize(1);
    assertThat(taken.get(0).position()).isEqualTo(3);
    assertThat(third.writes()).hasSize(1).first().isInstanceOf(StorageWrite.SaveSnapshot.class);

    Executor restored = new Executor(new CounterMachine(), ExecutorConfig.defaults(0));
    restored.restore(taken.get(0).state());
    assertThat(restored.digest()).isEqualTo(replica.executor().digest());
  }

  @Test
  void checkpointsAreRecordedWhenTheAppliedPositionCrossesAMultiple() {
    replica = replica(0, 3);
    List<CapturedSnapshot> captures = new java.util.ArrayList<>();
    List<String> digestsThen = new java.util.ArrayList<>();
    long sequence = 0;
    for (int gap : new int[] {0, 0, 1, 2, 0, 0}) {
      coordination.gapBeforeNext = gap;
      List<CapturedSnapshot> taken = replica.propose(inc(++sequence)).checkpoints();
      captures.addAll(taken);
      taken.forEach(c -> digestsThen.add(replica.executor().digest()));
    }
    // Positions applied: 1, 2, 4, 7, 8, 9 → crossings of 3, 6 and 9.
    List<Checkpoint> checkpoints = captures.stream().map(Checkpoint::of).toList();
    assertThat(checkpoints).extracting(Checkpoint::position).containsExactly(4L, 7L, 9L);
    // Digested after the state moved on, each is still the state's at its own position.
    assertThat(checkpoints).extracting(Checkpoint::digest).isEqualTo(digestsThen);
  }

  @Test
  void leaderProposesAClockRequestWhenATimeoutIsDueAndClientsAreIdle() {
    replica.tick(1_000, 1_000);
    replica.propose(Request.command(A, 1, utf8("later")));
    assertThat(replica.tick(1_050, 1_050).replies()).isEmpty();
    assertThat(machine.count).isZero();

    Effects effects = replica.tick(1_100, 1_100);
    assertThat(machine.count).isEqualTo(1);
    assertThat(effects.replies()).isEmpty();
    List<Input.Propose> proposals = coordination.inputsOf(Input.Propose.class);
    assertThat(proposals.get(proposals.size() - 1).request().client()).isEqualTo(Replica.CLOCK);
    assertThat(proposals.get(proposals.size() - 1).request().kind())
        .isEqualTo(Request.Kind.NULL);
  }

  @Test
  void aClockRequestWaitsForTheProtocolsAgreedTimeNotForAFastWallClock() {
    replica.tick(1_000, 1_000);
    replica.propose(Request.command(A, 1, utf8("later"))); // due at agreed time 1_100
    coordination.heldTime = 1_050L;
    replica.tick(1_010, 1_000 + 3_600_000); // this replica's wall clock is an hour ahead
    assertThat(coordination.inputsOf(Input.Propose.class)).hasSize(1);

    coordination.heldTime = 1_100L;
    replica.tick(1_020, 1_010 + 3_600_000);
    List<Input.Propose> proposals = coordination.inputsOf(Input.Propose.class);
    assertThat(proposals).hasSize(2);
    assertThat(proposals.get(1).request().client()).isEqualTo(Replica.CLOCK);
  }

  @Test
  void aFollowerNeverProposesClockRequests() {
    replica.tick(1_000, 1_000);
    replica.propose(Request.command(A, 1, utf8("later")));
    coordination.role = Role.FOLLOWER;
    replica.tick(5_000, 5_000);
    assertThat(coordination.inputsOf(Input.Propose.class)).hasSize(1);
  }

  @Test
  void onlyOneClockRequestIsPendingAtATimeAndItsRedirectIsNotPassedOn() {
    ScriptedCoordination slow = new ScriptedCoordination() {
      @Override
      public void step(Input input) {
        if (input instanceof Input.Propose) {
          inputs.add(input);
          return;
        }
        super.step(input);
      }
    };
    Executor executor = new Executor(new CounterMachine(), ExecutorConfig.defaults(0));
    executor.apply(new Ordered(1, 0, Request.command(A, 1, utf8("later"))));
    Replica r = new Replica(0, slow, executor, 0, 0);
    r.tick(200, 200);
    r.tick(300, 300);
    assertThat(slow.inputsOf(Input.Propose.class)).hasSize(1);
    slow.term = 2;
    r.tick(400, 400);
    assertThat(slow.inputsOf(Input.Propose.class)).hasSize(2);
    slow.queued.add(new Ready(List.of(), List.of(), null, List.of(), List.of(), List.of(
        new Ready.Redirect(Request.nullRequest(Replica.CLOCK, 2), -1, 1, "not leader"))));
    assertThat(r.tick(500, 500).redirects()).isEmpty();
    r.tick(600, 600);
    assertThat(slow.inputsOf(Input.Propose.class)).hasSize(3);
  }

  @Test
  void installRestoresTheExecutorAndAStaleInstallIsIgnored() {
    Executor donor = new Executor(new CounterMachine(), ExecutorConfig.defaults(1));
    for (int i = 1; i <= 5; i++) {
      donor.apply(new Ordered(i, i, inc(i)));
    }
    Snapshot snapshot = new Snapshot(6, 1, 5, List.of(0, 1), donor.snapshot());
    coordination.queued.add(new Ready(List.of(), List.of(), snapshot, List.of(), List.of(),
        List.of()));
    replica.tick(1, 1);
    assertThat(replica.appliedPosition()).isEqualTo(5);
    assertThat(machine.count).isEqualTo(5);
    assertThat(replica.executor().digest()).isEqualTo(donor.digest());

    Executor older = new Executor(new CounterMachine(), ExecutorConfig.defaults(1));
    older.apply(new Ordered(1, 1, inc(1)));
    coordination.queued.add(new Ready(List.of(), List.of(),
        new Snapshot(1, 1, 1, List.of(0), older.snapshot()), List.of(), List.of(), List.of()));
    replica.tick(2, 2);
    assertThat(machine.count).isEqualTo(5);
  }

  @Test
  void aCorruptInstalledSnapshotStopsTheReplicaLoudly() {
    coordination.queued.add(new Ready(List.of(), List.of(),
        new Snapshot(3, 1, 1, List.of(0), new byte[] {1, 2, 3}), List.of(), List.of(),
        List.of()));
    assertThatThrownBy(() -> replica.tick(1, 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot install the snapshot at index 3");
  }

  @Test
  void recoverRestoresTheDurableSnapshotAndReEmittedEntriesAreSkipped() {
    Executor before = new Executor(new CounterMachine(), ExecutorConfig.defaults(0));
    before.apply(new Ordered(1, 1, inc(1)));
    before.apply(new Ordered(2, 2, inc(2)));
    Recovered recovered = new Recovered(new StorageWrite.HardState(new byte[] {1, 0}),
        new Snapshot(2, 1, 2, List.of(0), before.snapshot()), List.of());

    CounterMachine fresh = new CounterMachine();
    Executor executor = Replica.recover(fresh, ExecutorConfig.defaults(0), recovered);
    assertThat(executor.appliedPosition()).isEqualTo(2);
    Replica restarted = new Replica(0, coordination, executor, 0, 0);
    coordination.queued.add(new Ready(List.of(), List.of(), null,
        List.of(new Ordered(2, 2, inc(2)), new Ordered(3, 3, inc(3))), List.of(), List.of()));
    Effects effects = restarted.tick(3, 3);
    assertThat(effects.replies()).extracting(Reply::sequence).containsExactly(3L);
    assertThat(fresh.count).isEqualTo(3);
    assertThat(Replica.recover(new CounterMachine(), ExecutorConfig.defaults(0), Recovered.EMPTY)
        .appliedPosition()).isZero();
  }

  @Test
  void clientRedirectsAndLeadershipTransferArePassedThrough() {
    coordination.role = Role.FOLLOWER;
    Effects effects = replica.propose(inc(1));
    assertThat(effects.redirects()).extracting(Ready.Redirect::leaderHint).containsExactly(2);
    replica.transferLeadership(2);
    assertThat(coordination.inputsOf(Input.TransferLeadership.class))
        .extracting(Input.TransferLeadership::target).containsExactly(2);
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> replica(-1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("snapshotEvery");
    assertThatThrownBy(() -> replica.propose(null)).isInstanceOf(NullPointerException.class);
  }
}
