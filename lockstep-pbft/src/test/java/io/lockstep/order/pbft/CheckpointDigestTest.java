package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import io.lockstep.order.SnapshotData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint's state captured on the loop and digested later, as the server does off its loop
 * thread ({@link Checkpoints}, {@link io.lockstep.order.Input.StateCaptured}): ordering goes on
 * within the window while a digest is pending, the vote is for the state captured at the
 * checkpoint's sequence number, and a digest that comes too late or after a crash changes
 * nothing it must not.
 */
class CheckpointDigestTest {
  /** K = 4, L = 8, one request per batch: positions are sequence numbers. */
  private static Net net() {
    Net net = new Net(c -> c.withLog(1, 4, 8));
    net.digestLater = true;
    return net;
  }

  /** Sends {@code count} requests one after another, each with its own agreed time. */
  private static void send(Net net, int count, int... releaseFor) {
    for (int i = 0; i < count; i++) {
      net.tick(10);
      net.send(net.request());
      net.run();
      for (int r : releaseFor) {
        while (!net.digests.get(r).isEmpty()) {
          net.releaseDigest(r);
          net.run();
        }
      }
    }
  }

  private static AtomicInteger countVotes(Net net, int from) {
    AtomicInteger votes = new AtomicInteger();
    net.filter = m -> {
      if (m.message() instanceof PbftMessage.CheckpointVote && (from < 0 || m.from() == from)) {
        votes.incrementAndGet();
      }
      return m;
    };
    return votes;
  }

  @Test
  void orderingGoesOnWhileADigestIsPendingAndTheVoteIsForTheStateCapturedAtTheCheckpoint() {
    Net net = net();
    AtomicInteger votes = countVotes(net, -1);
    send(net, 6);
    byte[][] captured = new byte[4][];
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i + " executed past 4").isEqualTo(6);
      assertThat(net.nodes[i].checkpoints.digestsPending()).isEqualTo(1);
      assertThat(net.digests.get(i)).hasSize(1);
      captured[i] = net.digests.get(i).peek().state();
    }
    assertThat(votes.get()).as("no vote before its digest").isZero();
    assertThat(net.nodes[0].stableSeq()).isZero();

    net.releaseDigests();
    net.run();
    for (int i = 0; i < 4; i++) {
      PbftMessage.CheckpointVote own = net.nodes[i].checkpoints.ownLatest;
      assertThat(own.seq()).isEqualTo(4);
      assertThat(own.state()).as("the state captured at 4, not the state now at 6")
          .isEqualTo(Digest.of(captured[i])).isNotEqualTo(Digest.of(net.state[i]));
      assertThat(own.time()).as("batch 4's agreed time, not the latest executed")
          .isEqualTo(net.applied.get(i).get(3).time())
          .isNotEqualTo(net.applied.get(i).get(5).time());
      assertThat(net.nodes[i].stableSeq()).isEqualTo(4);
      assertThat(net.nodes[i].checkpoints.digestsPending()).isZero();
    }
    assertThat(votes.get()).isPositive();
  }

  /**
   * The runtime signs the vote where it digests the state (an Ed25519 signature on the loop
   * thread showed in every steady-state profile): the replica hands out a seal for each capture
   * and, stepped the sealed state, votes with that signature without signing anything itself.
   */
  @Test
  void theVoteCarriesTheSignatureMadeWithTheDigestAndTheReplicaSignsNothingItself() {
    AtomicInteger[] signs = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger(),
        new AtomicInteger()};
    Net net = new Net(c -> c.withLog(1, 4, 8).withSigner(counting(c.signer(), signs[c.self()])));
    net.digestLater = true;
    send(net, 4);
    assertThat(net.nodes[1].checkpointSeal(3)).as("no capture at position 3").isNull();
    Net.Held held = net.digests.get(1).poll();
    byte[] sha = Digest.of(held.state()).bytes();
    byte[] signature = held.seal().sign(sha); // the digester thread's work
    int before = signs[1].get();

    net.nodes[1].step(new Input.SnapshotTaken(held.position(),
        SnapshotData.digested(held.state(), sha, signature)));
    assertThat(signs[1].get()).as("nothing signed on the loop").isEqualTo(before);
    PbftMessage.CheckpointVote own = net.nodes[1].checkpoints.ownLatest;
    assertThat(own.signature()).isEqualTo(signature);
    assertThat(own.seq()).isEqualTo(4);
    assertThat(Signing.verify(net.configs[0].signer(), own)).as("a vote others accept").isTrue();
    net.releaseDigests();
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].stableSeq()).as("replica " + i).isEqualTo(4);
    }
  }

  /** Counts what {@code inner} signs. */
  private static io.lockstep.identity.Signer counting(io.lockstep.identity.Signer inner,
      AtomicInteger signs) {
    return new io.lockstep.identity.Signer() {
      @Override
      public int self() {
        return inner.self();
      }

      @Override
      public byte[] sign(byte[] data) {
        signs.incrementAndGet();
        return inner.sign(data);
      }

      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        return inner.verify(node, data, signature);
      }
    };
  }

  @Test
  void theWindowStillBoundsHowFarOrderingRunsAheadOfPendingDigests() {
    Net net = net();
    send(net, 12);
    for (int i = 0; i < 4; i++) {
      // Low watermark 0 + window 8: nothing above 8 is assigned while no checkpoint is stable.
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(8);
      assertThat(net.nodes[i].checkpoints.digestsPending()).isEqualTo(2);
    }
    net.releaseDigests(); // stable at 8: 9..12 go through, and 12 is captured in turn
    net.runFor(200, 50);
    net.releaseDigests();
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).isEqualTo(12);
      assertThat(net.nodes[i].stableSeq()).isEqualTo(12);
      assertThat(net.state[i]).isEqualTo(net.state[0]);
    }
  }

  /**
   * A replica holds each state it keeps (in a server, its file stays open) only while it may
   * serve it: once a later checkpoint is stable, the older state's hold is released, and a state
   * it drops is never held.
   */
  @Test
  void statesBelowTheStableCheckpointAreReleased() {
    Net net = net();
    send(net, 12);
    net.releaseDigests();
    net.runFor(200, 50);
    net.releaseDigests();
    net.run();
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].stableSeq()).isEqualTo(12);
      List<Net.CountedPin> pins = net.pins.get(i);
      assertThat(pins).as("replica %d kept the states at 4, 8 and 12", i).hasSize(3);
      assertThat(pins.subList(0, 2)).as("replica %d, below the stable checkpoint", i)
          .allMatch(pin -> pin.released);
      assertThat(pins.get(2).released).as("replica %d, the stable checkpoint's", i).isFalse();
      assertThat(net.nodes[i].checkpoints.state(12L)).isSameAs(pins.get(2).data());
    }
  }

  @Test
  void aDigestForACheckpointBelowTheStableOneIsIgnoredAndOneForTheStableOneIsKeptUnvoted() {
    Net net = net();
    AtomicInteger votesOf3 = countVotes(net, 3);
    send(net, 9, 0, 1, 2); // replica 3's digests never come back in time
    assertThat(net.nodes[3].stableSeq()).as("the others' votes proved 4, then 8").isEqualTo(8);
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(9);
    assertThat(net.digests.get(3)).hasSize(2);

    net.releaseDigest(3); // seq 4, now below the stable checkpoint
    net.run();
    assertThat(net.nodes[3].dropsByReason())
        .containsKey("checkpoint state digested after a later checkpoint became stable");
    assertThat(net.nodes[3].checkpoints.state(4L)).isNull();
    assertThat(net.pins.get(3)).as("a state dropped is never held").isEmpty();

    net.releaseDigest(3); // seq 8, the stable checkpoint: kept to serve, saved, not voted for
    net.run();
    assertThat(net.nodes[3].checkpoints.state(8L)).isNotNull();
    assertThat(net.disks[3].recovered().snapshot().index()).isEqualTo(8);
    assertThat(net.nodes[3].checkpoints.ownLatest).isNull();
    assertThat(votesOf3.get()).isZero();
  }

  @Test
  void aDigestArrivingForTheStableCheckpointMustMatchItsProof() {
    Net net = net();
    send(net, 5, 0, 1, 2);
    assertThat(net.nodes[3].stableSeq()).isEqualTo(4);
    Net.Held held = net.digests.get(3).poll();
    byte[] other = "another state".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> net.nodes[3].step(new Input.SnapshotTaken(held.position(),
        SnapshotData.digested(other, Digest.of(other).bytes()))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("diverged");
  }

  @Test
  void aReplicaThatCrashesWithADigestPendingPromisedNothingAndCatchesUp() {
    Net net = net();
    AtomicInteger votesOf3 = countVotes(net, 3);
    send(net, 5, 0, 1, 2);
    assertThat(net.nodes[3].lastExecuted()).isEqualTo(5);
    assertThat(net.nodes[3].checkpoints.digestsPending()).isEqualTo(1);
    assertThat(votesOf3.get()).as("no vote left before the digest").isZero();
    assertThat(net.disks[3].recovered().snapshot()).as("and no state was saved for one").isNull();

    net.restart(3); // the capture and its digest die with the process
    net.runFor(300, 50);
    for (int r : new int[] {0, 1, 2}) {
      while (!net.digests.get(r).isEmpty()) {
        net.releaseDigest(r);
      }
    }
    send(net, 4, 3, 0, 1, 2); // replica 3 digests first, so its vote still counts
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica " + i).isEqualTo(9);
      assertThat(net.nodes[i].stableSeq()).as("replica " + i).isEqualTo(8);
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[0]);
    }
    assertThat(votesOf3.get()).as("it votes again once its digests come").isPositive();
  }
}
