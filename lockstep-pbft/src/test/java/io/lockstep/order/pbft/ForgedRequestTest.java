package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A faulty primary cannot make requests up: a backup prepares a batch only when it holds each of
 * its requests (the same bytes) from the client's own authenticated connection, so a request no
 * client sent is never executed by a correct replica, and a primary that keeps proposing such
 * requests is replaced by the request timer.
 */
class ForgedRequestTest {
  /** A request under client c's id that c never sent. */
  private static final Request FORGED = Request.command(ClientId.of("c"), 999,
      "transfer everything".getBytes(StandardCharsets.UTF_8));

  /** The primary of view 0 adds {@link #FORGED} to each of its pre-prepares. */
  private static Net.Filter forgingPrimary() {
    return m -> {
      if (m.from() == 0 && m.message() instanceof PbftMessage.PrePrepare pp && pp.view() == 0) {
        List<Request> requests = new ArrayList<>(pp.batch().requests());
        requests.add(FORGED);
        return new Net.Msg(0, m.to(), new PbftMessage.PrePrepare(0, pp.seq(),
            new Batch(pp.batch().time(), requests)));
      }
      return m;
    };
  }

  @Test
  void aRequestNoClientSentIsNeverExecutedAndThePrimaryThatProposesItIsReplaced() {
    Net net = new Net(c -> c.withRequestTimeout(300));
    net.filter = forgingPrimary();
    List<Request> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(net.request());
      net.send(sent.get(i));
    }
    net.runFor(4_000, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).doesNotContain(FORGED)
          .containsAll(sent);
      assertThat(net.nodes[i].view()).as("replica " + i).isPositive();
      assertThat(net.state[i]).as("replica " + i).isEqualTo(net.state[1]);
    }
  }

  @Test
  void aForgedCopyOfARealRequestIdIsRefusedToo() {
    Net net = new Net(c -> c.withRequestTimeout(300));
    Request real = net.request();
    Request forgedCopy = Request.command(real.client(), real.sequence(),
        "something else".getBytes(StandardCharsets.UTF_8));
    net.filter = m -> m.from() == 0 && m.message() instanceof PbftMessage.PrePrepare pp
        && pp.view() == 0 ? new Net.Msg(0, m.to(), new PbftMessage.PrePrepare(0, pp.seq(),
            new Batch(pp.batch().time(), List.of(forgedCopy)))) : m;
    net.send(real);
    net.runFor(4_000, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsExactly(real);
    }
  }

  @Test
  void withACorrectPrimaryTheHoldRuleCostsNoViewChange() {
    Net net = new Net(c -> c.withRequestTimeout(300));
    List<Request> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(net.request());
      net.send(sent.get(i));
    }
    net.runFor(4_000, 20);
    for (int i = 0; i < 4; i++) {
      assertThat(net.requests(i)).as("replica " + i).containsExactlyElementsOf(sent);
      assertThat(net.nodes[i].view()).as("replica " + i).isZero();
    }
  }
}
