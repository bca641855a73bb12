package io.lockstep.order.stamped;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.Recovered;
import io.lockstep.order.clocks.RealTimeClock;
import io.lockstep.order.lamport.LogicalClock;
import io.lockstep.order.testing.Harness;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stamped-order replica declared failed while it runs (paper §2, fail-stop: it stalled past the
 * failure timeout) halts once a peer's broadcast tells it so, and then rejoins in process like a
 * restarted replica (§7.2). Scripted on two replicas, for logical clocks and real-time clocks:
 * replica 1's loop stalls for a second (it gets no tick and what is sent to it waits, as under
 * {@code SIGSTOP}); replica 0 declares it failed and orders a write alone.
 */
class FalseSuspicionTest {
  private static Supplier<UidScheme> scheme(String name) {
    return name.equals("logical-clock") ? LogicalClock::new
        : () -> new RealTimeClock(RealTimeClock.Test.COMBINED, 150);
  }

  /** A write applied by both, then 1 stalls past the failure timeout while 0 takes a write. */
  private static <C extends Coordination> void stallOne(Harness<C> h) {
    h.tickAll(100, 10);
    h.propose(0, h.request("put a 1"));
    h.tickAll(200, 10);
    assertThat(h.state.get(1)).containsExactly("put a 1");
    h.propose(0, h.request("put b 1"));
    h.tickAllStalling(1, 1_000, 10); // 1 wakes, speaks, and 0 answers that it suspects it
  }

  @ParameterizedTest
  @ValueSource(strings = {"logical-clock", "real-time"})
  void aReplicaThatLearnsItIsSuspectedStopsAnsweringAndSendingInsteadOfOrderingAlone(
      String name) {
    Harness<StampedOrder> h = new Harness<>(2, (id, members) -> new StampedOrder(
        StampedConfig.defaults(id, members), scheme(name).get(), Recovered.EMPTY));
    stallOne(h);
    assertThat(h.nodes.get(0).failedReplicas()).containsExactly(1);
    h.propose(0, h.request("put c 1"));
    h.tickAll(1_000, 10); // three failure timeouts: a running 1 would now declare 0 failed
    assertThat(h.state.get(0)).containsExactly("put a 1", "put b 1", "put c 1");

    h.step(1, new Input.Read(7));
    h.propose(1, h.request("put d 1"));
    assertThat(h.redirects.get(1)).hasSize(2).allSatisfy(r -> {
      assertThat(r.busy()).as("the client retries").isTrue();
      assertThat(r.reason()).contains("halted");
    });
    assertThat(h.grants.get(1)).as("no read answered from a state that misses put c").isEmpty();
    assertThat(h.state.get(1)).as("nothing 0 did not process at the same position")
        .isEqualTo(h.state.get(0).subList(0, h.state.get(1).size()));
    assertThat(h.nodes.get(1).failedReplicas()).as("it never ordered on its own").isEmpty();
    h.tickAll(100, 10);
    assertThat(h.inFlight).as("a halted replica sends nothing").noneMatch(f -> f.from() == 1);
    assertThat(h.nodes.get(1).halted()).contains("replica 0 suspects replica 1",
        "failure timeout of 300 ms", "halted", "retry at another replica");
    assertThat(h.nodes.get(1).assumptionBreaches()).contains(h.nodes.get(1).halted());
  }

  @ParameterizedTest
  @ValueSource(strings = {"logical-clock", "real-time"})
  void theHaltedReplicaRejoinsInProcessAndItsSurvivorsReportIsRepaired(String name) {
    Harness<Coordination> h = new Harness<>(2, (id, members) -> StampedOrder.halting(
        StampedConfig.defaults(id, members), scheme(name), Recovered.EMPTY));
    stallOne(h);
    HaltThenRejoin one = (HaltThenRejoin) h.nodes.get(1);
    assertThat(one.repairing()).isTrue();
    assertThat(one.repairReason()).contains("replica 0 suspects replica 1", "halted");
    assertThat(one.drainBrokenAssumptions()).singleElement().asString().contains("halted");
    assertThat(h.nodes.get(0).drainBrokenAssumptions()).isNotEmpty()
        .allSatisfy(b -> assertThat(b).contains("declared failed"));
    h.propose(0, h.request("put c 1"));
    h.tickAll(1_000, 10);

    assertThat(one.halts()).isEqualTo(1);
    assertThat(one.repairing()).as("rejoined").isFalse();
    assertThat(h.state.get(1)).as("the donor's state").isEqualTo(h.state.get(0))
        .containsExactly("put a 1", "put b 1", "put c 1");
    assertThat(one.drainRepairedAssumptions()).singleElement().asString()
        .contains("halted after replica 0 suspects replica 1", "rejoined");
    assertThat(h.nodes.get(0).drainRepairedAssumptions()).singleElement().asString()
        .contains("halted and been readmitted");
    h.propose(1, h.request("put d 1"));
    h.propose(0, h.request("put e 1"));
    h.tickAll(300, 10);
    assertThat(h.state.get(1)).hasSize(5).isEqualTo(h.state.get(0));
    assertThat(h.nodes.get(0).drainBrokenAssumptions()).isEmpty();
    assertThat(one.drainBrokenAssumptions()).isEmpty();
  }
}
