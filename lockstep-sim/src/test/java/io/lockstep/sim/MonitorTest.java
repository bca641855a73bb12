package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.Status;
import io.lockstep.order.raft.RaftMessage;
import io.lockstep.request.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonitorTest {
  private final Monitor monitor = new Monitor(3);

  private static Ordered ordered(long position, long time, String client) {
    return new Ordered(position, time, Request.command(ClientId.of(client), 1, new byte[] {1}));
  }

  private static Ready stable(Ordered... ordered) {
    return new Ready(List.of(), List.of(), null, List.of(ordered), List.of(), List.of());
  }

  private static Status leaderOf(int self, long term) {
    return new Status(self, Role.LEADER, term, self, 0, 0, 0);
  }

  @Test
  void twoLeadersInOneTermBreakElectionSafety() {
    monitor.onStatus(0, leaderOf(0, 3));
    monitor.onStatus(1, leaderOf(1, 4));
    monitor.onStatus(0, leaderOf(0, 3));
    assertThatThrownBy(() -> monitor.onStatus(2, leaderOf(2, 3)))
        .isInstanceOf(SimFailure.class)
        .hasMessageStartingWith("election safety: replicas 0 and 2 both led term 3");
  }

  @Test
  void aCommittedEntryThatChangesIsCaught() {
    monitor.onReady(0, stable(ordered(1, 10, "a"), ordered(2, 11, "b")));
    monitor.onReady(1, stable(ordered(1, 10, "a")));
    assertThatThrownBy(() -> monitor.onReady(1, stable(ordered(2, 11, "c"))))
        .isInstanceOf(SimFailure.class)
        .hasMessageStartingWith("committed entry changed: position 2");
  }

  @Test
  void aCommittedEntryWithAnotherAgreedTimeIsCaught() {
    monitor.onReady(0, stable(ordered(1, 10, "a")));
    assertThatThrownBy(() -> monitor.onReady(1, stable(ordered(1, 12, "a"))))
        .hasMessageStartingWith("committed entry changed");
  }

  @Test
  void skippingAPositionWhereAnotherReplicaAppliedARequestIsCaught() {
    monitor.onReady(0, stable(ordered(1, 10, "a"), ordered(2, 11, "b")));
    assertThatThrownBy(() -> monitor.onReady(1, stable(ordered(1, 10, "a"), ordered(3, 12, "c"))))
        .hasMessageContaining("position 2").hasMessageContaining("no-op");
  }

  @Test
  void aRequestWhereAnotherReplicaHadANoOpIsCaught() {
    monitor.onReady(0, stable(ordered(2, 11, "b")));
    assertThatThrownBy(() -> monitor.onReady(1, stable(ordered(1, 10, "a"))))
        .hasMessageStartingWith("committed entry changed: position 1 was a no-op");
  }

  @Test
  void agreedTimeMustNotDecreaseAlongTheOrder() {
    assertThatThrownBy(() -> monitor.onReady(0, stable(ordered(1, 10, "a"), ordered(2, 9, "b"))))
        .hasMessageStartingWith("agreed time: replica 0 position 2");
  }

  @Test
  void aRestartedReplicaResumesAfterItsSnapshot() {
    monitor.onReady(0, stable(ordered(1, 10, "a"), ordered(2, 11, "b"), ordered(3, 12, "c")));
    Snapshot snapshot = new Snapshot(2, 1, 11, List.of(0, 1, 2), new byte[0]);
    monitor.onBoot(0, new Recovered(null, snapshot, List.of()));
    assertThatCode(() -> monitor.onReady(0, stable(ordered(3, 12, "c"))))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> monitor.onReady(0, stable(ordered(3, 12, "c"))))
        .hasMessageContaining("after position 3");
  }

  @Test
  void differentStateDigestsAtOnePositionAreDivergence() {
    monitor.onCheckpoint(0, 20, "aa");
    monitor.onCheckpoint(1, 20, "aa");
    assertThatThrownBy(() -> monitor.onCheckpoint(2, 20, "bb"))
        .hasMessageStartingWith("divergence: at position 20 replica 0");
  }

  private static Ready sending(RaftMessage message) {
    return new Ready(List.of(), List.of(new Ready.Outbound(2, message)), null, List.of(),
        List.of(), List.of());
  }

  @Test
  void repairingReplicaThatGrantsAVoteOrCountableAcknowledgementIsCaught() {
    assertThatThrownBy(() -> monitor.onRepairingReady(1,
        sending(new RaftMessage.RequestVoteResponse(4, true))))
        .isInstanceOf(SimFailure.class).hasMessageContaining("grants a vote in term 4");
    assertThatThrownBy(() -> monitor.onRepairingReady(1,
        sending(new RaftMessage.PreVoteResponse(5, true))))
        .isInstanceOf(SimFailure.class).hasMessageContaining("pre-vote");
    assertThatThrownBy(() -> monitor.onRepairingReady(1,
        sending(new RaftMessage.AppendEntriesResponse(4, true, 9, 0, 0, 0, false))))
        .isInstanceOf(SimFailure.class).hasMessageContaining("without marking it repairing");
    assertThatCode(() -> monitor.onRepairingReady(1,
        sending(new RaftMessage.AppendEntriesResponse(4, true, 9, 0, 0, 0, true))))
        .doesNotThrowAnyException();
    assertThatCode(() -> monitor.onRepairingReady(1,
        sending(new RaftMessage.RequestVoteResponse(4, false)))).doesNotThrowAnyException();
  }
}
