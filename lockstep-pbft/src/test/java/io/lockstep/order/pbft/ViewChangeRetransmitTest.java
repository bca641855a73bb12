package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What view changes and new views are repeated after a view change. They carry signatures and
 * certificates that every receiver decodes and looks up, so they are repeated only to a peer
 * that can use them, and ever more rarely to one that does not take them in.
 */
class ViewChangeRetransmitTest {
  /** Counts the view changes and new views put on the wire, by "kind from->to". */
  private static final class Counted implements Net.Filter {
    final Map<String, Integer> sent = new TreeMap<>();
    Net.Filter then = m -> m;

    @Override
    public Net.Msg apply(Net.Msg m) {
      if (m.message() instanceof PbftMessage.ViewChange
          || m.message() instanceof PbftMessage.NewView) {
        sent.merge(m.message().getClass().getSimpleName() + " " + m.from() + "->" + m.to(), 1,
            Integer::sum);
      }
      return then.apply(m);
    }

    int total() {
      return sent.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * A view change the backups start because primary 0's pre-prepares never arrive (the
   * slow-primary bound, 100 ms; the request timer and so the new view's time-out are 10 s).
   * Returns the request it waits for.
   */
  private static Request viewChangeFromASilentPrimary(Net net, Counted counted,
      Net.Filter more) {
    counted.then = m -> m.from() == 0 && m.message() instanceof PbftMessage.PrePrepare ? null
        : more.apply(m);
    net.filter = counted;
    Request request = net.request();
    net.send(request);
    return request;
  }

  private static Net net() {
    return new Net(c -> c.withRequestTimeout(10_000).withProposeDelay(100));
  }

  @Test
  void onceEveryReplicaIsInTheViewNoViewChangeOrNewViewIsRepeated() {
    Net net = net();
    Counted counted = new Counted();
    Request request = viewChangeFromASilentPrimary(net, counted, m -> m);
    net.runFor(1_000, 10);
    for (int i = 0; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.nodes[i].changingView()).as("replica " + i).isFalse();
      assertThat(net.requests(i)).as("replica " + i).containsExactly(request);
    }
    counted.sent.clear();
    net.runFor(5_000, 50); // 100 retransmission periods
    assertThat(counted.sent).isEmpty();
  }

  @Test
  void aReplicaThatMissedTheNewViewGetsItFromThePrimaryAloneAndEntersTheView() {
    Net net = net();
    Counted counted = new Counted();
    boolean[] lost = {false};
    Request request = viewChangeFromASilentPrimary(net, counted, m -> {
      if (m.to() == 3 && m.message() instanceof PbftMessage.NewView && !lost[0]) {
        lost[0] = true; // the primary's broadcast of the new view, to replica 3
        return null;
      }
      return m;
    });
    net.runFor(1_000, 10);
    assertThat(lost[0]).isTrue();
    assertThat(net.nodes[3].view()).isEqualTo(1);
    assertThat(net.nodes[3].changingView()).as("it took the new view sent again").isFalse();
    assertThat(net.requests(3)).containsExactly(request);
    // Replicas 0 and 2 saw its status and view change behind them too, but a backup takes a
    // new view from the primary only: a copy from them would be decoded for nothing.
    assertThat(counted.sent).doesNotContainKeys("NewView 0->3", "NewView 2->3");
    assertThat(counted.sent.get("NewView 1->3")).as("the broadcast and one answer").isEqualTo(2);
    assertThat(net.nodes[3].dropsByReason())
        .doesNotContainKey("new view from a replica that is not its primary");
  }

  @Test
  void aReplicaThatDoesNotTakeTheNewViewInIsSentItEverMoreRarely() {
    Net net = net();
    Counted counted = new Counted();
    boolean[] cut = {true};
    Request request = viewChangeFromASilentPrimary(net, counted,
        m -> cut[0] && m.to() == 3 && m.message() instanceof PbftMessage.NewView ? null : m);
    net.runFor(1_000, 10);
    assertThat(net.nodes[3].changingView()).isTrue();
    counted.sent.clear();
    net.runFor(5_000, 50); // 100 periods, each with its status and no new view getting in
    assertThat(net.nodes[3].changingView()).isTrue();
    // Waits of 1, 2, 4, 8, then 16 periods: 4 + 85/16 copies, not one or two a period.
    assertThat(counted.sent.get("NewView 1->3")).isBetween(5, 10);
    cut[0] = false;
    net.runFor(1_000, 50);
    assertThat(net.nodes[3].view()).isEqualTo(1);
    assertThat(net.nodes[3].changingView()).as("a copy still comes once it can get in").isFalse();
    assertThat(net.requests(3)).containsExactly(request);
  }

  /**
   * A replica that asked for the next view alone (its request timer expired while a faulty peer
   * suspected the primary too) waits there until a quorum asks for it too (Castro and Liskov's first liveness rule). The others, in the view
   * below, hold its view change after the first copy; repeating it every period, as it was,
   * cost each of them a decode and its signatures' look-ups 20 times a second for as long as
   * the view lasted. It is still repeated, ever more rarely, since a copy may be lost: at most
   * ~10 times in 100 periods in answer to a peer's statuses, and as many unasked.
   */
  @Test
  void aReplicaThatAskedForAViewAloneRepeatsItsViewChangeEverMoreRarely() {
    Net net = new Net(c -> c.withRequestTimeout(200));
    Counted counted = new Counted();
    counted.then = m -> m.from() == 3 || m.to() == 3 ? null : m;
    net.filter = counted;
    net.send(net.request(), 3);
    // A faulty peer suspects the primary too: with its own timer's expiry that is t+1.
    net.deliver(new Net.Msg(2, 3, new PbftMessage.Suspect(0)));
    net.runFor(1_000, 50);
    assertThat(net.nodes[3].view()).isEqualTo(1);
    assertThat(net.nodes[3].changingView()).isTrue();
    counted.then = m -> m;
    counted.sent.clear();
    net.runFor(5_000, 50);
    assertThat(net.nodes[0].view()).as("one replica alone moves nobody").isZero();
    for (int peer = 0; peer < 3; peer++) {
      assertThat(counted.sent.get("ViewChange 3->" + peer)).as("to replica " + peer)
          .isBetween(1, 20);
    }
    assertThat(counted.total()).as("nothing else about views").isEqualTo(
        counted.sent.get("ViewChange 3->0") + counted.sent.get("ViewChange 3->1")
            + counted.sent.get("ViewChange 3->2"));
  }
}
