package io.lockstep.voter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Paper §4 (S13): client-side output voting. */
class VoterTest {
  private static final ClientId C = ClientId.of("client");

  private static Reply reply(int replica, String output) {
    return new Reply(C, 1, Reply.Status.OK, output.getBytes(), "", 7, replica);
  }

  @Test
  void failStopTakesTheFirstReply() {
    Voter voter = new Voter(FailureModel.FAIL_STOP, 2);
    assertThat(voter.decided()).isFalse();
    assertThat(voter.offer(reply(3, "x"))).contains(reply(3, "x"));
    assertThat(voter.offer(reply(1, "y"))).contains(reply(3, "x"));
    assertThat(voter.decided()).isTrue();
  }

  @Test
  void byzantineNeedsTPlusOneIdenticalRepliesFromDistinctReplicas() {
    Voter voter = new Voter(FailureModel.BYZANTINE, 1);
    assertThat(voter.offer(reply(0, "x"))).isEmpty();
    assertThat(voter.offer(reply(0, "x"))).isEmpty();
    assertThat(voter.offer(reply(1, "y"))).isEmpty();
    assertThat(voter.offer(reply(2, "x")).orElseThrow().sameOutput(reply(9, "x"))).isTrue();
  }

  @Test
  void aReplicaThatChangesItsOutputCountsOnlyForItsFirst() {
    Voter voter = new Voter(FailureModel.BYZANTINE, 1);
    voter.offer(reply(0, "lie"));
    assertThat(voter.offer(reply(0, "truth"))).isEmpty();
    assertThat(voter.offer(reply(1, "truth"))).isEmpty();
    assertThat(voter.offer(reply(2, "truth"))).isPresent();
  }

  @Test
  void repliesThatDifferOnlyInPositionOrReplicaAreIdenticalOutputs() {
    Voter voter = new Voter(FailureModel.BYZANTINE, 1);
    voter.offer(new Reply(C, 1, Reply.Status.OK, new byte[] {1}, "", 5, 0));
    assertThat(voter.offer(new Reply(C, 1, Reply.Status.OK, new byte[] {1}, "", 6, 1)))
        .isPresent();
  }

  @Test
  void negativeTIsRefused() {
    assertThatThrownBy(() -> new Voter(FailureModel.BYZANTINE, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t must not");
  }

  @Property
  void neverDecidesOnRepliesFromAtMostTFaultyReplicas(
      @ForAll @IntRange(min = 1, max = 4) int t,
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 1000) Integer> picks) {
    Voter voter = new Voter(FailureModel.BYZANTINE, t);
    for (int pick : picks) {
      // pick chooses one of t faulty replicas and one of three outputs (repeats allowed).
      voter.offer(reply(100 + pick % t, "out" + (pick / t) % 3));
    }
    assertThat(voter.decided()).isFalse();
  }

  @Property
  void alwaysDecidesTheCorrectOutputWithTPlusOneCorrectReplies(
      @ForAll @IntRange(min = 0, max = 4) int t,
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 1000) Integer> picks,
      @ForAll long shuffleSeed) {
    List<Reply> replies = new ArrayList<>();
    for (int r = 0; r <= t; r++) {
      replies.add(reply(r, "correct"));
    }
    for (int pick : picks) {
      if (t > 0) {
        replies.add(reply(100 + pick % t, "wrong" + (pick / t) % 3));
      }
    }
    Collections.shuffle(replies, new Random(shuffleSeed));
    Voter voter = new Voter(FailureModel.BYZANTINE, t);
    replies.forEach(voter::offer);
    assertThat(voter.decision().orElseThrow().sameOutput(reply(0, "correct"))).isTrue();
  }
}
