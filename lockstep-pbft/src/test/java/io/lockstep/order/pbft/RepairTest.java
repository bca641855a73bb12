package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.order.LogEntry;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Recovered;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Protocol-aware recovery ({@link Repair}): a replica whose storage is damaged starts without
 * voting, learns a proven checkpoint and its peers' views, stays out of every sequence number up
 * to that checkpoint plus the window, never sends a view change at or below the highest view it
 * learnt, and then votes again; the repair survives a crash in the middle.
 */
class RepairTest {
  /** Checkpoint every 4 sequence numbers, window 8, one request per batch. */
  private static Net net() {
    return new Net(c -> c.withLog(1, 4, 8));
  }

  /** Records every message replica {@code from} sends from now on. */
  /** Its own votes among {@code sent} (relayed proofs are others' votes). */
  private static List<ProtocolMessage> votes(List<ProtocolMessage> sent, int replica) {
    return sent.stream().filter(m -> m instanceof PbftMessage.PrePrepare
        || m instanceof PbftMessage.Prepare || m instanceof PbftMessage.Commit
        || m instanceof PbftMessage.CheckpointVote v && v.replica() == replica
        || m instanceof PbftMessage.ViewChange vc && vc.replica() == replica).toList();
  }

  private static boolean above16(ProtocolMessage m) {
    return m instanceof PbftMessage.Prepare p && p.seq() > 16
        || m instanceof PbftMessage.Commit c && c.seq() > 16;
  }

  /** The log lost from {@code from} on (its hard state and snapshot intact). */
  private static Recovered logDamaged(Recovered r, long from) {
    List<LogEntry> kept = r.entries().stream().filter(e -> e.index() < from).toList();
    long last = r.entries().isEmpty() ? 0 : r.entries().get(r.entries().size() - 1).index();
    return new Recovered(r.hardState(), r.snapshot(), kept,
        new Recovered.Damage(from, Math.max(last, from - 1), 0, "a bit flip in the log"));
  }

  @Test
  void aDamagedReplicaStartsWithoutVotingAndStillExecutesWhatTheOthersCommit() {
    Net net = net();
    net.sendAll(10);
    Recovered r = net.disks[2].recovered();
    net.restart(2, logDamaged(r, r.entries().get(0).index()));
    assertThat(net.nodes[2].repairing()).isTrue();
    List<ProtocolMessage> sent = net.recordFrom(2);
    net.sendAll(3);
    net.runFor(300, 50);
    assertThat(net.nodes[2].repairing()).isTrue();
    assertThat(votes(sent, 2)).as("votes while repairing").isEmpty();
    assertThat(sent).anyMatch(m -> m instanceof PbftMessage.Status);
    assertThat(net.nodes[2].lastExecuted()).isEqualTo(13);
    assertThat(net.state[2]).isEqualTo(net.state[0]);
    net.nodes[2].step(new io.lockstep.order.Input.Read(7));
    assertThat(net.nodes[2].ready().redirects()).singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("repairing"));
  }

  @Test
  void aRepairingReplicaLearnsAProvenStableCheckpointFromItsPeersAndFetchesItsState() {
    Net net = net();
    net.sendAll(10);
    // Everything but an old hard state is lost: the stable checkpoint it read is 0.
    net.restart(2, new Recovered(null, null, List.of(),
        new Recovered.Damage(1, 30, 0, "the data directory was lost")));
    assertThat(net.nodes[2].stableSeq()).isZero();
    net.runFor(300, 50); // statuses: the peers send their proof of checkpoint 8 and its state
    assertThat(net.nodes[2].stableSeq()).isEqualTo(8);
    assertThat(net.nodes[2].lastExecuted()).isGreaterThanOrEqualTo(8);
    assertThat(net.nodes[2].repairing()).as("8 + the window 8 not yet executed").isTrue();
    assertThat(net.nodes[2].repair.noVoteThroughSeq).isEqualTo(16);
  }

  @Test
  void itStaysOutOfEverySequenceNumberUpToTheCheckpointPlusTheWindowThenVotesAgain() {
    Net net = net();
    net.sendAll(10);
    net.restart(2, new Recovered(null, null, List.of(),
        new Recovered.Damage(1, 30, 0, "the data directory was lost")));
    net.runFor(300, 50);
    List<ProtocolMessage> sent = net.recordFrom(2);
    net.sendAll(6); // through 16 = 8 + L: executed by the others' commits alone
    net.runFor(300, 50);
    assertThat(votes(sent, 2)).as("votes at or below 16").isEmpty();
    assertThat(net.nodes[2].lastExecuted()).isEqualTo(16);
    assertThat(net.nodes[2].repairing()).isFalse();
    net.sendAll(1);
    assertThat(sent).anyMatch(m -> m instanceof PbftMessage.Prepare p && p.seq() == 17);
    assertThat(votes(sent, 2)).allMatch(m -> !(m instanceof PbftMessage.Prepare p)
        || p.seq() > 16);
    assertThat(net.state[2]).isEqualTo(net.state[0]);
  }

  @Test
  void itNeverVotesForAViewAtOrBelowTheHighestViewItLearnsFromItsPeers() {
    Net net = net();
    net.sendAll(5);
    net.filter = m -> m.from() == 0 || m.to() == 0 ? null : m; // the primary is gone
    net.send(net.request(), 1, 2, 3);
    net.runFor(3_000, 50); // 1, 2 and 3 move to view 1 and execute the request
    assertThat(net.nodes[1].view()).isEqualTo(1);
    net.filter = m -> m;
    // Its newest hard state (view 1) is lost; the one it reads says view 0.
    Recovered r = net.disks[2].recovered();
    net.restart(2, new Recovered(null, r.snapshot(), r.entries(),
        new Recovered.Damage(r.entries().get(r.entries().size() - 1).index() + 1,
            r.entries().get(r.entries().size() - 1).index(), 0, "newest hard state damaged")));
    assertThat(net.nodes[2].view()).isZero();
    net.runFor(300, 50);
    assertThat(net.nodes[2].view()).as("it follows the new view").isEqualTo(1);
    net.sendAll(14);
    net.runFor(300, 50);
    assertThat(net.nodes[2].repairing()).isFalse();
    assertThat(net.nodes[2].repair.noVoteThroughView).isEqualTo(1);
    assertThat(net.nodes[2].repair.mayVoteForView(1)).isFalse();
    assertThat(net.nodes[2].repair.mayVoteForView(2)).isTrue();
    List<ProtocolMessage> sent = net.recordFrom(2);
    net.nodes[2].viewChanges.start(1, "a test asks for view 1 again");
    net.nodes[2].viewChanges.start(2, "a test asks for view 2");
    net.run();
    assertThat(votes(sent, 2)).as("one view change, to each of its 3 peers").hasSize(3)
        .allSatisfy(m -> assertThat(((PbftMessage.ViewChange) m).newView()).isEqualTo(2));
  }

  @Test
  void theRepairIsDurableAndACrashInTheMiddleResumesIt() {
    Net net = net();
    net.sendAll(10);
    net.restart(2, new Recovered(null, null, List.of(),
        new Recovered.Damage(1, 30, 0, "the data directory was lost")));
    net.run(); // its first Ready writes the hard state that remembers the repair
    net.restart(2); // storage no longer reports the damage
    assertThat(net.nodes[2].repairing()).isTrue();
    assertThat(net.nodes[2].repairReason()).contains("not finished");
    List<ProtocolMessage> sent = net.recordFrom(2);
    net.runFor(300, 50); // its peers' reports: checkpoint 8, so no votes through 16
    net.sendAll(8);
    net.runFor(300, 50);
    assertThat(votes(sent, 2)).as("votes at or below 16").allMatch(RepairTest::above16);
    assertThat(votes(sent, 2)).as("votes at 17 and 18").isNotEmpty();
    assertThat(net.nodes[2].repairing()).isFalse();
    net.restart(2);
    assertThat(net.nodes[2].repairing()).as("the end is durable too").isFalse();
    assertThat(net.nodes[2].repair.noVoteThroughSeq).isEqualTo(16);
  }

  @Test
  void aDamagedReplicaWithTooFewPeersToRepairFromRefusesToStart() {
    PbftConfig alone = PbftConfig.defaults(0, List.of(0), 0, Ed25519Signer.signers(
        Ed25519Signer.seededKeyPairs(List.of(0), 3)).get(0));
    assertThatThrownBy(() -> Pbft.recover(alone, new Recovered(null, null, List.of(),
        new Recovered.Damage(1, 3, 0, "a bit flip"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a bit flip")
        .hasMessageContaining("0 peers");
  }

  @Test
  void theHardStateKeepsTheRepairAndReadsTheVersionBeforeIt() {
    DurableState repairing = new DurableState(3, true, List.of(), true, 40, 7)
        .withSettings(PositionSettings.BEFORE_RECORDING);
    DurableState read = DurableState.decode(repairing.encode());
    assertThat(read.repairing()).isTrue();
    assertThat(read.noVoteThroughSeq()).isEqualTo(40);
    assertThat(read.noVoteThroughView()).isEqualTo(7);
    byte[] versionOne = new io.lockstep.codec.WireWriter().writeByte(1).writeLong(3)
        .writeBoolean(false).writeInt(0).toByteArray();
    DurableState old = DurableState.decode(versionOne);
    assertThat(old.view()).isEqualTo(3);
    assertThat(old.repairing()).isFalse();
    assertThat(old.noVoteThroughView()).isEqualTo(-1);
  }
}
