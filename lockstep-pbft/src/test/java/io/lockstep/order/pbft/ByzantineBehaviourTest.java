package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The lies of {@link ByzantineBehaviour} look real and the others refuse them: a liar's
 * authentically signed wrong checkpoint digest never makes a checkpoint stable nor a source of
 * state, a liar's corrupt state is refused by the stable digest and fetched from another voter,
 * replays go to real members only, and wrong answers are well-formed.
 */
class ByzantineBehaviourTest {
  private final SplittableRandom random = new SplittableRandom(3);

  /** Routes every message replica {@code liar} sends through {@code lie}; 3 is cut off. */
  private static Net.Filter lying(int liar, MessageInterceptor lie, SplittableRandom random,
      boolean cutOffThree) {
    return m -> {
      if (cutOffThree && (m.from() == 3 || m.to() == 3)) {
        return null;
      }
      if (m.from() != liar) {
        return m;
      }
      List<Ready.Outbound> out = lie.intercept(liar, new Ready.Outbound(m.to(), m.message()),
          random);
      return out.isEmpty() ? null : new Net.Msg(m.from(), out.get(0).to(), out.get(0).message());
    };
  }

  @Test
  void aSignedWrongCheckpointDigestNeverCountsAndTheLaggingReplicaFetchesFromTheOthers() {
    int liar = 1;
    Net net = new Net(c -> c.withLog(1, 4, 8));
    MessageInterceptor lie = ByzantineBehaviour.WRONG_CHECKPOINT_DIGEST
        .interceptor(net.configs[liar].signer());
    net.filter = lying(liar, lie, random, true);
    for (int i = 0; i < 10; i++) {
      net.send(net.request(), 0, 1, 2);
      net.run();
    }
    // With replica 3 cut off and replica 1 lying, only 0 and 2 agree: 2 < 2t+1, nothing stable.
    assertThat(net.nodes[0].stableSeq()).isZero();
    net.filter = lying(liar, lie, random, false);
    net.runFor(1_000, 50);
    // Replica 3 back: three honest votes make the checkpoint stable (a proof may still hold
    // an honest vote the liar signed for itself and shows in its view change: that is no lie).
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].lastExecuted()).as("replica %d", i).isEqualTo(10);
    }
    assertThat(net.nodes[0].stableSeq()).isEqualTo(8);
    assertThat(net.nodes[3].transfer.rejected).isZero();
    assertThat(Arrays.equals(net.state[3], net.state[0])).isTrue();
    // The lie is authentic: no honest replica refused the liar's votes for their signature.
    for (int i : new int[] {0, 2, 3}) {
      assertThat(net.nodes[i].dropsByReason().keySet()).as("replica %d", i)
          .noneMatch(r -> r.contains("signature"));
    }
  }

  @Test
  void aCorruptStateIsRefusedByTheStableDigestAndFetchedFromAnotherVoter() {
    int refusedRuns = 0;
    for (int liar = 0; liar <= 2; liar++) {
      Net net = new Net(c -> c.withLog(1, 4, 8));
      net.filter = m -> m.from() == 3 || m.to() == 3 ? null : m;
      for (int i = 0; i < 10; i++) {
        net.send(net.request(), 0, 1, 2);
        net.run();
      }
      assertThat(net.nodes[0].stableSeq()).isEqualTo(8);
      net.filter = lying(liar, ByzantineBehaviour.CORRUPT_STATE_TRANSFER.interceptor(), random,
          false);
      net.runFor(1_000, 50);
      Pbft lagging = net.nodes[3];
      assertThat(lagging.lastExecuted()).as("liar %d", liar).isEqualTo(10);
      int honest = liar == 0 ? 1 : 0;
      assertThat(Arrays.equals(net.state[3], net.state[honest])).as("liar %d", liar).isTrue();
      assertThat(lagging.transfer.rejected).isLessThanOrEqualTo(1);
      if (lagging.transfer.rejected == 1) {
        refusedRuns++;
        assertThat(lagging.dropsByReason().keySet()).contains("state from replica " + liar
            + " does not match the stable checkpoint's digest");
      }
    }
    assertThat(refusedRuns).as("the lagging replica asked the liar first at least once")
        .isPositive();
  }

  @Test
  void replaysGoOnlyToReplicasTheLiarHasSentTo() {
    MessageInterceptor replayer = ByzantineBehaviour.REPLAY.interceptor();
    PbftMessage.Prepare prepare = new PbftMessage.Prepare(0, 1, Digest.of(new byte[] {1}));
    TreeSet<Integer> addressed = new TreeSet<>();
    int replays = 0;
    for (int i = 0; i < 2_000; i++) {
      int to = 2 + i % 3; // a cluster whose ids are 1-4, seen from replica 1
      List<Ready.Outbound> out = replayer.intercept(1, new Ready.Outbound(to, prepare), random);
      replays += out.size() - 1;
      out.forEach(o -> addressed.add(o.to()));
    }
    assertThat(replays).isPositive();
    assertThat(addressed).containsExactly(2, 3, 4);
  }

  @Test
  void wrongAnswersAreWellFormedAndDiffer() {
    assertThat(lie("+OK\r\n")).isEqualTo("+OL\r\n");
    assertThat(lie(":41\r\n")).isEqualTo(":42\r\n");
    assertThat(lie("$3\r\nv19\r\n")).isEqualTo("$3\r\nv10\r\n");
    assertThat(lie("*2\r\n$1\r\na\r\n$1\r\nz\r\n")).isEqualTo("*2\r\n$1\r\na\r\n$1\r\na\r\n");
    assertThat(lie("$-1\r\n")).isEqualTo("$1\r\n0\r\n");
    assertThat(lie("*0\r\n")).isEqualTo("$1\r\n0\r\n");
    assertThat(lie("ok")).isEqualTo("ol");
    MessageInterceptor liar = ByzantineBehaviour.WRONG_REPLIES.interceptor();
    Reply reply = new Reply(ClientId.of("c"), 4, Reply.Status.OK,
        bytes("$2\r\nv1\r\n"), "", 9, 2);
    assertThat(new String(liar.reply(reply, random).value(), StandardCharsets.US_ASCII))
        .isEqualTo("$2\r\nv2\r\n");
    QueryResult read = new QueryResult(5, true, bytes(":7\r\n"), "");
    assertThat(liar.read(read, random).value()).isEqualTo(bytes(":8\r\n"));
  }

  private static String lie(String answer) {
    return new String(WrongAnswers.wrong(bytes(answer)), StandardCharsets.US_ASCII);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
