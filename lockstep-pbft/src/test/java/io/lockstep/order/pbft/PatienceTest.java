package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The adaptive request timer and slow-primary bound ({@link Patience}): a correct primary that
 * slows down under load keeps its view, a silent one is still replaced, and the bounds come back
 * down when the load does.
 */
class PatienceTest {
  @Test
  void startsAtTheFloorFollowsTheDelaysAndStaysWithinTheCap() {
    Patience patience = new Patience(500, 8_000);
    assertThat(patience.timeout()).isEqualTo(500);
    patience.observe(100);
    assertThat(patience.timeout()).as("below the floor: the floor").isEqualTo(500);
    for (int i = 0; i < 20; i++) {
      patience.observe(i % 2 == 0 ? 600 : 1_000);
    }
    // Smoothed ~800 ms with a deviation of ~200 ms: about 800 + 4 x 200.
    assertThat(patience.timeout()).isBetween(1_300L, 1_900L);
    for (int i = 0; i < 50; i++) {
      patience.observe(1_000_000);
    }
    assertThat(patience.timeout()).isEqualTo(8_000);
    for (int i = 0; i < 100; i++) {
      patience.observe(50);
    }
    assertThat(patience.timeout()).as("back down once the load is gone").isEqualTo(500);
    assertThat(patience.samples()).isEqualTo(171);
  }

  @Test
  void refusesAFloorAboveTheCap() {
    assertThatThrownBy(() -> new Patience(500, 400))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor");
  }

  /**
   * A correct primary slows down as load builds: each request takes longer (100 ms, then 60 ms
   * more for each next one, up to over a second), well past the configured 500 ms time-out and
   * 150 ms slow-primary bound. Replicas that learned the delays keep the view; with the bounds
   * fixed (the same configuration without room to adapt) they change view.
   */
  @Test
  void aPrimaryThatSlowsDownGraduallyKeepsItsView() {
    Slowed adaptive = runSlowingPrimary(c -> c);
    assertThat(adaptive.views).as(adaptive.reasons.toString()).containsOnly(0L);
    assertThat(adaptive.executed).isEqualTo(16);
    assertThat(adaptive.net.nodes[1].executePatience.timeout()).isGreaterThan(1_200);

    Slowed fixed = runSlowingPrimary(PatienceTest::fixedBounds);
    assertThat(fixed.views.stream().mapToLong(Long::longValue).max().orElseThrow())
        .as("fixed 500 ms / 150 ms bounds suspect the slow but correct primary").isPositive();
  }

  /** After learning long delays, a primary that falls silent is still replaced within the cap. */
  @Test
  void aSilentPrimaryIsReplacedAfterTheLearnedTimeOut() {
    Slowed slowed = runSlowingPrimary(c -> c);
    Net net = slowed.net;
    long learned = net.nodes[1].timeout();
    assertThat(learned).isGreaterThan(500).isLessThanOrEqualTo(500 << 4);
    net.filter = m -> m.from() == 0 ? null : m;
    Request request = net.request();
    net.send(request);
    long start = net.now;
    while (net.nodes[1].view() == 0 && net.now - start < 20_000) {
      net.tick(10);
      net.run();
    }
    assertThat(net.nodes[1].view()).isEqualTo(1);
    assertThat(net.now - start).isLessThanOrEqualTo(2 * learned + 100);
    assertThat(net.nodes[1].drainEvents()).as("the journal says why")
        .anyMatch(e -> e.kind() == io.lockstep.journal.Event.Kind.ELECTION && e.term() == 1
            && (e.detail().startsWith("a request waited") || e.detail().contains("unordered")));
    net.runFor(5_000, 10);
    for (int i = 1; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).endsWith(request);
    }
  }

  /** Consecutive view changes double the time-outs; the first progress in a view ends that. */
  @Test
  void theBackOffEndsWithTheFirstProgressInTheNewView() {
    Net net = new Net(c -> c.withRequestTimeout(100));
    long newViewsFrom = net.now + 1_000; // no new view arrives before: views change in a row
    net.filter = m -> m.from() == 0 || (m.message() instanceof PbftMessage.NewView
        && net.now < newViewsFrom) ? null : m;
    Request request = net.request();
    net.send(request);
    int highestBackoff = 0;
    for (int step = 0; step < 200 && !net.requests(1).contains(request); step++) {
      net.tick(10);
      net.run();
      highestBackoff = Math.max(highestBackoff, net.nodes[1].backoff);
    }
    assertThat(highestBackoff).as("doubled while views changed").isGreaterThanOrEqualTo(2);
    assertThat(net.nodes[1].view()).isPositive();
    assertThat(net.requests(1)).contains(request);
    assertThat(net.nodes[1].backoff).as("reset by the request's execution").isZero();
    assertThat(net.nodes[1].timeout()).isEqualTo(net.nodes[1].executePatience.timeout());
  }

  /** What a run of 16 requests under a slowing primary did. */
  private record Slowed(Net net, List<Long> views, List<String> reasons, int executed) {}

  /**
   * Sixteen requests one after another (a closed-loop client); every message the primary sends
   * for the k-th arrives 100 + 60k ms late, so ordering and executing it take that long.
   */
  private static Slowed runSlowingPrimary(java.util.function.UnaryOperator<PbftConfig> tune) {
    // Without the throughput check: its rate, not a per-request bound, would rightly notice
    // a primary that slows down this much (ThroughputWatchTest); here the bounds are tested.
    Net net = new Net(c -> tune.apply(c), ThroughputPolicy.off());
    List<Object[]> late = new ArrayList<>();
    long[] delay = {0};
    net.filter = m -> {
      if (m.from() != 0) {
        return m;
      }
      late.add(new Object[] {net.now + delay[0], m});
      return null;
    };
    List<Long> views = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    int executed = 0;
    for (int k = 0; k < 16; k++) {
      delay[0] = 100 + 60L * k;
      Request request = net.request();
      net.send(request);
      for (int step = 0; step < 400 && !net.requests(1).contains(request); step++) {
        net.tick(10);
        List<Object[]> due = new ArrayList<>(late.stream().filter(h -> (long) h[0] <= net.now)
            .toList());
        late.removeAll(due);
        due.forEach(h -> net.deliver((Net.Msg) h[1]));
        net.run();
      }
      executed += net.requests(1).contains(request) ? 1 : 0;
      views.add(net.nodes[1].view());
      reasons.add(net.nodes[1].viewChanges.lastReason);
    }
    return new Slowed(net, views, reasons, executed);
  }

  /** The same configuration with no room to adapt or back off: the bounds stay fixed. */
  private static PbftConfig fixedBounds(PbftConfig c) {
    return new PbftConfig(c.self(), c.members(), c.t(), c.signer(), c.maxBatch(),
        c.checkpointInterval(), c.window(), c.requestTimeoutMs(), 0, c.proposeDelayMs(),
        c.retransmitMs(), c.timeBoundMs(), c.maxPendingRequests());
  }
}
