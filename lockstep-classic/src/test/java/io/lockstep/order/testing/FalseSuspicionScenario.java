package io.lockstep.order.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.stamped.HaltThenRejoin;
import java.util.Set;
import java.util.function.Function;

/**
 * The scenario of a replica declared failed while it runs, shared by the fail-stop order
 * families (stamped uids and replica-generated uids): on two replicas, replica 1's loop stalls
 * for a second (no tick, and what is sent to it waits, as under {@code SIGSTOP}) while replica 0
 * declares it failed and orders a write alone; 1 must halt once 0 tells it, and rejoin.
 */
public final class FalseSuspicionScenario {
  private FalseSuspicionScenario() {}

  /** A write applied by both, then 1 stalls past the failure timeout while 0 takes a write. */
  public static <C extends Coordination> void stallOne(Harness<C> h) {
    h.tickAll(100, 10);
    h.propose(0, h.request("put a 1"));
    h.tickAll(200, 10);
    assertThat(h.state.get(1)).containsExactly("put a 1");
    h.propose(0, h.request("put b 1"));
    h.tickAllStalling(1, 1_000, 10); // 1 wakes, speaks, and 0 answers that it suspects it
  }

  /**
   * After {@link #stallOne}: 1 halted instead of ordering alone: it refuses reads and writes
   * (busy, so clients retry elsewhere), answers no read from a state missing 0's write, never
   * declares 0 failed, sends nothing, and reports why.
   *
   * @param failed the replicas an engine declared failed
   * @param timeout how the halt reason names the failure timeout
   */
  public static <E extends HaltThenRejoin.Engine> void haltsInsteadOfOrderingAlone(
      Harness<E> h, Function<E, Set<Integer>> failed, String timeout) {
    assertThat(failed.apply(h.nodes.get(0))).containsExactly(1);
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
    assertThat(failed.apply(h.nodes.get(1))).as("it never ordered on its own").isEmpty();
    h.tickAll(100, 10);
    assertThat(h.inFlight).as("a halted replica sends nothing").noneMatch(f -> f.from() == 1);
    assertThat(h.nodes.get(1).halted()).contains("replica 0 suspects replica 1", timeout,
        "halted", "retry at another replica");
    assertThat(h.nodes.get(1).drainBrokenAssumptions()).contains(h.nodes.get(1).halted());
  }

  /**
   * After {@link #stallOne} with engines that halt and rejoin: 1 is repairing while halted, then
   * takes 0's state, and both replicas' reports end; afterwards both order together again.
   */
  public static void rejoinsAndReportsRepaired(Harness<Coordination> h) {
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
