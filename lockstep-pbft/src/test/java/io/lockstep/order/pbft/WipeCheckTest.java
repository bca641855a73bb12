package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Recovered;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PBFT's wipe check ({@link WipeCheck}), scripted on four replicas (t = 1): a fresh cluster with
 * the check on orders after one probe round and everyone remembers everyone; a replica whose
 * data directory is wiped is told by t+1 peers and repairs (no vote until it has executed past
 * a proven checkpoint plus the window), then votes again; one lying peer neither pushes a new
 * replica into repair nor hides a wipe; a crash before the verdict keeps the incarnation; and
 * without the check a wiped replica votes at once.
 */
class WipeCheckTest {
  /** Checkpoint every 4 sequence numbers, window 8, one request per batch. */
  private static Net checkedCluster() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    for (int i = 0; i < 4; i++) {
      net.restart(i, Recovered.EMPTY, 100L + i);
    }
    return net;
  }

  /** Records every message replica {@code from} sends from now on (keeping {@code lie}). */
  private static List<ProtocolMessage> recordFrom(Net net, int from, Net.Filter lie) {
    List<ProtocolMessage> sent = new ArrayList<>();
    net.filter = m -> {
      Net.Msg out = lie.apply(m);
      if (out != null && out.from() == from) {
        sent.add(out.message());
      }
      return out;
    };
    return sent;
  }

  /** Its own votes among {@code sent}. */
  private static List<ProtocolMessage> votes(List<ProtocolMessage> sent, int replica) {
    return sent.stream().filter(m -> m instanceof PbftMessage.PrePrepare
        || m instanceof PbftMessage.Prepare || m instanceof PbftMessage.Commit
        || m instanceof PbftMessage.CheckpointVote v && v.replica() == replica
        || m instanceof PbftMessage.ViewChange vc && vc.replica() == replica).toList();
  }

  /** Replica {@code liar} answers every probe of {@code asker} with {@code claim}. */
  private static Net.Filter lie(int liar, int asker, long claim) {
    return m -> m.from() == liar && m.to() == asker
        && m.message() instanceof PbftMessage.IncarnationAnswer
        ? new Net.Msg(m.from(), m.to(), new PbftMessage.IncarnationAnswer(claim)) : m;
  }

  @Test
  void aFreshClusterWithTheCheckOnOrdersAfterOneProbeRoundAndEveryoneRemembersEveryone() {
    Net net = checkedCluster();
    assertThat(net.nodes[0].wipe.verified()).as("unverified before any answer").isFalse();
    assertThat(net.nodes[0].repair.mayVote(1)).isFalse();
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].wipe.verified()).as("replica %d", i).isTrue();
      assertThat(net.nodes[i].repairing()).isFalse();
      assertThat(net.nodes[i].wipe.known()).as("replica %d remembers", i).hasSize(3);
    }
    net.sendAll(5);
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(5);
    net.restart(1); // its hard state holds its incarnation, checked
    assertThat(net.nodes[1].wipe.verified()).isTrue();
    assertThat(net.nodes[1].wipe.incarnation()).isEqualTo(net.nodes[0].wipe.known().get(1));
  }

  @Test
  void aWipedReplicaIsToldByItsPeersRepairsAndThenVotesAgain() {
    Net net = checkedCluster();
    net.run();
    net.sendAll(10);
    net.restart(2, Recovered.EMPTY, 7L); // the directory is gone; a new start's seed
    List<ProtocolMessage> sent = recordFrom(net, 2, m -> m);
    net.runFor(300, 50);
    assertThat(net.nodes[2].repairing()).as(net.nodes[2].wipe.toString()).isTrue();
    assertThat(net.nodes[2].repairReason()).contains("remember incarnation")
        .contains("wiped or replaced without a rejoin-empty file");
    assertThat(net.nodes[2].stableSeq()).as("the proven checkpoint fetched").isEqualTo(8);
    net.sendAll(6); // through 16 = 8 + L: executed by the others' commits alone
    net.runFor(300, 50);
    assertThat(votes(sent, 2)).as("votes at or below 16").isEmpty();
    assertThat(net.nodes[2].repairing()).isFalse();
    net.sendAll(1);
    assertThat(sent).anyMatch(m -> m instanceof PbftMessage.Prepare p && p.seq() == 17);
    assertThat(net.state[2]).isEqualTo(net.state[0]);
    net.restart(2);
    assertThat(net.nodes[2].repairing()).as("the end of the repair is durable").isFalse();
    assertThat(net.nodes[2].wipe.verified()).isTrue();
  }

  @Test
  void oneLyingPeerCannotPushANewReplicaIntoRepair() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.filter = lie(3, 0, 0x1234L);
    for (int i = 0; i < 4; i++) {
      net.restart(i, Recovered.EMPTY, 100L + i);
    }
    net.run();
    assertThat(net.nodes[0].repairing()).isFalse();
    assertThat(net.nodes[0].wipe.verified()).as("one answer names another: undecided")
        .isFalse();
    long wait = 2 * net.configs[0].requestTimeoutMs();
    net.runFor(wait + 100, 50);
    assertThat(net.nodes[0].wipe.verified()).as("2t answers naming none and the wait")
        .isTrue();
    assertThat(net.nodes[0].repairing()).isFalse();
    net.sendAll(3);
    assertThat(net.nodes[0].lastExecuted()).isEqualTo(3);
  }

  @Test
  void oneLyingPeerCannotHideAWipe() {
    Net net = checkedCluster();
    net.run();
    net.sendAll(10);
    net.filter = lie(3, 2, 0); // "I never heard of replica 2"
    net.restart(2, Recovered.EMPTY, 7L);
    net.runFor(300, 50);
    assertThat(net.nodes[2].repairing()).as(net.nodes[2].wipe.toString()).isTrue();
    assertThat(net.nodes[2].repairReason()).contains("replica 0 and 1 more remember");
  }

  @Test
  void aCrashBeforeTheVerdictKeepsTheIncarnationAndIsNoWipe() {
    Net net = checkedCluster();
    // Its first Ready is durable (the hard state with its new incarnation); then it crashes.
    net.disks[1].apply(net.nodes[1].ready().writes());
    long incarnation = net.nodes[1].wipe.incarnation();
    net.restart(1);
    assertThat(net.nodes[1].wipe.incarnation()).isEqualTo(incarnation);
    assertThat(net.nodes[1].wipe.verified()).isFalse();
    net.runFor(200, 50);
    assertThat(net.nodes[1].wipe.verified()).isTrue();
    assertThat(net.nodes[1].repairing()).isFalse();
  }

  @Test
  void withoutTheCheckAWipedReplicaTakesItselfForNewAndVotesAtOnce() {
    Net net = checkedCluster();
    net.run();
    net.sendAll(10);
    net.restart(2, Recovered.EMPTY, null); // what every PBFT replica did before the check
    List<ProtocolMessage> sent = recordFrom(net, 2, m -> m);
    net.runFor(300, 50);
    net.sendAll(2);
    assertThat(net.nodes[2].repairing()).isFalse();
    assertThat(votes(sent, 2)).as("it votes where the checked replica stays out (<= 16)")
        .anyMatch(m -> m instanceof PbftMessage.Prepare p && p.seq() <= 16);
  }

  @Test
  void theHardStateKeepsTheIncarnationsAndReadsTheVersionsBeforeThem() {
    DurableState checked = new DurableState(3, false, List.of(), false, 0, -1, 0x5eedL, false,
        Map.of(1, 11L, 2, 22L), PositionSettings.BEFORE_RECORDING);
    DurableState read = DurableState.decode(checked.encode());
    assertThat(read.incarnation()).isEqualTo(0x5eedL);
    assertThat(read.verified()).isFalse();
    assertThat(read.known()).containsExactlyInAnyOrderEntriesOf(Map.of(1, 11L, 2, 22L));
    byte[] versionTwo = new io.lockstep.codec.WireWriter().writeByte(2).writeLong(3)
        .writeBoolean(false).writeInt(0).writeBoolean(true).writeLong(40).writeLong(7)
        .toByteArray();
    DurableState old = DurableState.decode(versionTwo);
    assertThat(old.incarnation()).as("none picked yet").isZero();
    assertThat(old.verified()).isTrue();
    assertThat(old.repairing()).isTrue();
  }
}
