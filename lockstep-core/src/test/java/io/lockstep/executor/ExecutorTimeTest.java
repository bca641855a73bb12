package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Reply;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Paper §5.2 time-outs ({@code schedule}) and §6 default requests ({@code expect}). */
class ExecutorTimeTest {

  @Test
  void timeoutFiresBeforeTheFirstRequestWhoseTimeReachesIt() {
    Feed feed = new Feed();
    feed.send("a", 1, "schedule:100:note:fired", 1_000);
    assertThat(feed.executor.nextDue()).isEqualTo(OptionalLong.of(1_100));
    feed.send("a", 2, "note:early", 1_099);
    assertThat(feed.machine.scripts()).containsExactly("schedule:100:note:fired", "note:early");

    feed.send("b", 1, "note:late", 1_100);
    assertThat(feed.machine.scripts()).containsExactly(
        "schedule:100:note:fired", "note:early", "note:fired", "note:late");
    // It runs as the scheduling client, at its due time, at the current position, as a time-out.
    assertThat(feed.machine.journal.get(2)).isEqualTo("note:fired by a at 3/1100 timeout");
    assertThat(feed.executor.nextDue()).isEmpty();
  }

  @Test
  void firedTimeoutsProduceNoReply() {
    Feed feed = new Feed();
    feed.send("a", 1, "schedule:10:note:t", 0);
    assertThat(feed.tick(10)).isEmpty();
    assertThat(feed.machine.scripts()).contains("note:t");
  }

  @Test
  void nullRequestsFireDueTimeouts() {
    Feed feed = new Feed();
    feed.send("a", 1, "schedule:10:note:t", 0);
    feed.tick(5);
    assertThat(feed.machine.scripts()).doesNotContain("note:t");
    feed.tick(10);
    assertThat(feed.machine.scripts()).contains("note:t");
  }

  @Test
  void timeoutsFireInDueTimeThenCreationOrder() {
    Feed feed = new Feed();
    feed.send("a", 1, "schedule:30:note:late", 0);
    feed.send("a", 2, "schedule:20:note:first-at-20", 0);
    feed.send("b", 1, "schedule:20:note:second-at-20", 0);
    feed.tick(100);
    assertThat(feed.machine.scripts()).endsWith("note:first-at-20", "note:second-at-20",
        "note:late");
  }

  @Test
  void timeoutsFireAtTheSamePointOfTheOrderOnEveryReplica() {
    Feed one = new Feed(ExecutorConfig.defaults(1));
    Feed two = new Feed(ExecutorConfig.defaults(2));
    for (Feed f : new Feed[] {one, two}) {
      f.send("a", 1, "schedule:50:note:t1", 0);
      f.send("b", 1, "schedule:25:random", 10);
      f.send("a", 2, "note:x", 40);
      f.send("b", 2, "note:y", 60);
      f.tick(200);
    }
    assertThat(one.machine.journal).isEqualTo(two.machine.journal);
    assertThat(one.executor.digest()).isEqualTo(two.executor.digest());
    assertThat(one.machine.journal).containsSubsequence(
        "note:x by a at 3/40", "note:t1 by a at 4/50 timeout", "note:y by b at 4/60");
  }

  @Test
  void aRefusedCommandLeavesNoTimeoutBehind() {
    Feed feed = new Feed();
    feed.send("a", 1, "schedule:10:reject:after scheduling", 0);
    assertThat(feed.executor.scheduledCount()).isEqualTo(1);
    feed.tick(10);
    // The scheduled command itself was refused: it left no reply and no state.
    assertThat(feed.replies).hasSize(1);
    assertThat(feed.machine.scripts()).containsExactly("schedule:10:reject:after scheduling");
  }

  @Test
  void selfReschedulingWithZeroDelayCannotStallTheReplica() {
    Feed feed = new Feed();
    feed.send("a", 1, "schedule:0:schedule:0:schedule:0:note:deep", 0);
    feed.tick(0);
    assertThat(feed.machine.scripts()).contains("note:deep");
  }

  @Test
  void anEndlessZeroDelayChainFiresABoundedNumberOfTimesPerPosition() {
    Feed feed = new Feed();
    feed.send("a", 1, "loop", 0);
    feed.tick(0);
    assertThat(feed.machine.loops).isEqualTo(1 + Executor.MAX_FIRINGS_PER_POSITION);
    feed.tick(0);
    assertThat(feed.machine.loops).isEqualTo(1 + 2 * Executor.MAX_FIRINGS_PER_POSITION);
    assertThat(feed.executor.nextDue()).isEqualTo(OptionalLong.of(0));
  }

  @Test
  void defaultRequestRunsForASilentClientAtItsDeadline() {
    Feed feed = new Feed();
    feed.send("chair", 1, "expect:voter:100:note:default-vote", 0);
    feed.send("other", 1, "note:x", 99);
    assertThat(feed.machine.scripts()).doesNotContain("note:default-vote");
    feed.send("other", 2, "note:y", 100);
    assertThat(feed.machine.journal).contains("note:default-vote by voter at 3/100 default");
    assertThat(feed.executor.nextDue()).isEmpty();
  }

  @Test
  void aRequestFromTheExpectedClientCancelsItsDefault() {
    Feed feed = new Feed();
    feed.send("chair", 1, "expect:voter:100:note:default-vote", 0);
    feed.send("voter", 1, "note:my-vote", 99);
    feed.tick(500);
    assertThat(feed.machine.scripts()).containsExactly(
        "expect:voter:100:note:default-vote", "note:my-vote");
    assertThat(feed.executor.scheduledCount()).isZero();
  }

  @Test
  void aRequestAtTheDeadlineIsTooLateToCancelTheDefault() {
    Feed feed = new Feed();
    feed.send("chair", 1, "expect:voter:100:note:default-vote", 0);
    feed.send("voter", 1, "note:my-vote", 100);
    assertThat(feed.machine.scripts()).containsExactly(
        "expect:voter:100:note:default-vote", "note:default-vote", "note:my-vote");
  }

  @Test
  void randomStreamDependsOnlyOnThePosition() {
    Feed one = new Feed(ExecutorConfig.defaults(1));
    Feed two = new Feed(ExecutorConfig.defaults(2));
    Reply a = one.send("a", 1, "random", 0).get(0);
    Reply b = two.send("b", 1, "random", 999).get(0);
    Reply c = one.send("a", 2, "random", 0).get(0);
    assertThat(a.value()).isEqualTo(b.value());
    assertThat(c.value()).isNotEqualTo(a.value());
  }
}
