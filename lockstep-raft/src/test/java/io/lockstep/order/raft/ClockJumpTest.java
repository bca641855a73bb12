package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.request.Request;
import org.junit.jupiter.api.Test;

/**
 * A replica's wall clock that jumps an hour forward and then back (an operator's mistake, a bad
 * NTP step) moves nothing that clients rely on: lease reads run on the monotonic clock, so the
 * lease neither outlives nor undercuts its bound, and agreed time, in which lock hold times and
 * TTLs are measured, advances by the real time elapsed, never by the jump, and never goes back.
 */
class ClockJumpTest {
  private static final long HOUR = 3_600_000;

  private static long timeOf(Cluster cluster, int at, Request request) {
    return cluster.node(at).stable.stream().filter(o -> o.request().equals(request))
        .mapToLong(Ordered::time).findFirst().orElseThrow();
  }

  @Test
  void aLeadersWallClockJumpingForwardThenBackMovesNeitherItsLeaseNorAgreedTime() {
    Cluster cluster = new Cluster(3, c -> c.withLeaseReads(true, 0.1), 401);
    cluster.makeLeader(1);
    Request before = cluster.propose(1, "before");
    cluster.run(50);

    cluster.node(1).wallOffset = HOUR;
    cluster.run(1_000);
    Request ahead = cluster.propose(1, "while an hour ahead");
    cluster.run(50);
    long held = timeOf(cluster, 2, ahead) - timeOf(cluster, 2, before);
    assertThat(held).as("a hold of one real second is one second of agreed time")
        .isBetween(1_000L, 1_100L);

    cluster.node(1).wallOffset = -HOUR;
    cluster.run(1_000);
    Request behind = cluster.propose(1, "after jumping two hours back");
    cluster.run(50);
    assertThat(timeOf(cluster, 2, behind) - timeOf(cluster, 2, ahead))
        .as("agreed time neither goes back nor stands still").isBetween(1_000L, 1_100L);
    long clock = cluster.node(2).clock;
    assertThat(timeOf(cluster, 2, behind)).isBetween(clock - 100, clock);

    long served = cluster.read(1);
    assertThat(cluster.node(1).grants).extracting(Ready.ReadGrant::readId)
        .as("the lease still holds: the jumps changed no timer").contains(served);
    cluster.isolate(1);
    cluster.node(1).wallOffset = 10 * HOUR; // a jump cannot stretch the lease either
    cluster.run(300);
    long late = cluster.read(1);
    cluster.run(100);
    assertThat(cluster.node(1).grants).extracting(Ready.ReadGrant::readId)
        .as("the lease ran out on the monotonic clock").doesNotContain(late);
    assertThat(cluster.violations()).isEmpty();
  }

  @Test
  void aFollowersWallClockJumpingForwardThenBackDoesNotMoveAgreedTime() {
    Cluster cluster = new Cluster(3, 402);
    cluster.makeLeader(1);
    Request first = cluster.propose(1, "first");
    cluster.run(50);
    cluster.node(3).wallOffset = HOUR;
    cluster.run(500);
    Request second = cluster.propose(1, "second");
    cluster.run(50);
    cluster.node(3).wallOffset = -HOUR;
    cluster.run(500);
    Request third = cluster.propose(1, "third");
    cluster.run(50);
    assertThat(timeOf(cluster, 1, second) - timeOf(cluster, 1, first)).isBetween(500L, 600L);
    assertThat(timeOf(cluster, 1, third) - timeOf(cluster, 1, second)).isBetween(500L, 600L);
    assertThat(cluster.violations()).isEmpty();
  }
}
