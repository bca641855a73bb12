package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Commuting;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Requests declared commuting skip Order (paper §3, S12) at one replica, replica 0 of three, fed
 * the other replicas' broadcasts by hand with chosen candidates (as in {@link CandidateRulesTest}).
 * Commands starting with "vote" commute with each other; nothing else commutes.
 */
class CommutingSkipTest {
  private static final Commuting VOTES = (a, b) -> text(a).startsWith("vote")
      && text(b).startsWith("vote");

  private final List<Ordered> applied = new ArrayList<>();
  private CandidateOrder zero;

  private static String text(Request r) {
    return new String(r.command(), StandardCharsets.UTF_8);
  }

  private static Request request(String client, String command) {
    return Request.command(ClientId.of(client), 1, command.getBytes(StandardCharsets.UTF_8));
  }

  private void start(Commuting commuting) {
    zero = new CandidateOrder(StampedConfig.defaults(0, List.of(0, 1, 2)), Recovered.EMPTY, false,
        UidChoice.EVERY_REPLICA, commuting);
    step(new Input.Tick(1, 1));
  }

  private void step(Input input) {
    zero.step(input);
    Ready ready = zero.ready();
    applied.addAll(ready.stable());
  }

  private void from(int origin, long seq, Kind kind, int reqOrigin, long reqSeq, long counter,
      Request request) {
    step(new Input.Receive(origin, new Carry(origin, seq, new long[3], 0, 1, kind, reqOrigin,
        reqSeq, counter, request)));
  }

  /**
   * r1 (handed to 0: 0#1, candidate here (1, 0)) and r2 (from 1: 1#1, candidate here (2, 0)).
   * r2 is accepted first with uid (5, 1) while r1, seen and not accepted, has candidate (1, 0)
   * here: the stability test holds r2 back, since r1's uid may still end up below (5, 1).
   */
  private void r2AcceptedWhileR1IsNot(Request r1, Request r2) {
    step(new Input.Propose(r1));
    from(1, 1, Kind.REQUEST, -1, 0, 0, r2);
    from(1, 2, Kind.CANDIDATE, 1, 1, 5, null);
    from(2, 1, Kind.CANDIDATE, 1, 1, 3, null);
  }

  /** r1's uid is (4, 1): below r2's, so the order rule puts r1 first. */
  private void r1Accepted() {
    from(1, 3, Kind.CANDIDATE, 0, 1, 4, null);
    from(2, 2, Kind.CANDIDATE, 0, 1, 2, null);
  }

  @Test
  void anAcceptedRequestThatCommutesWithEveryRequestItMightFollowIsAppliedBeforeItIsStable() {
    start(VOTES);
    Request r1 = request("a", "vote x");
    Request r2 = request("b", "vote y");
    r2AcceptedWhileR1IsNot(r1, r2);
    assertThat(applied).extracting(Ordered::request).as("r2 skips the wait").containsExactly(r2);
    r1Accepted();
    assertThat(applied).extracting(Ordered::request).containsExactly(r2, r1);
    assertThat(applied).extracting(Ordered::position).containsExactly(1L, 2L);
    assertThat(zero.appliedEarly()).isEqualTo(1);
  }

  @Test
  void withNothingDeclaredCommutingTheSameRequestsWaitForTheOrderRule() {
    start(Commuting.NOTHING);
    Request r1 = request("a", "vote x");
    Request r2 = request("b", "vote y");
    r2AcceptedWhileR1IsNot(r1, r2);
    assertThat(applied).isEmpty();
    r1Accepted();
    assertThat(applied).extracting(Ordered::request).containsExactly(r1, r2);
    assertThat(zero.appliedEarly()).isZero();
  }

  @Test
  void aRequestThatDoesNotCommuteWithOneItMightFollowWaits() {
    start(VOTES);
    Request r1 = request("a", "reset");
    Request r2 = request("b", "vote y");
    r2AcceptedWhileR1IsNot(r1, r2);
    assertThat(applied).isEmpty();
    r1Accepted();
    assertThat(applied).extracting(Ordered::request).containsExactly(r1, r2);
  }

  @Test
  void aRequestNeverSkipsAReadBarrierItMightFollow() {
    start(VOTES);
    step(new Input.Read(7)); // 0#1: a barrier, candidate here (1, 0)
    Request r2 = request("b", "vote y");
    from(1, 1, Kind.REQUEST, -1, 0, 0, r2);
    from(1, 2, Kind.CANDIDATE, 1, 1, 5, null);
    from(2, 1, Kind.CANDIDATE, 1, 1, 3, null);
    assertThat(applied).as("the read must see exactly what is ordered before it").isEmpty();
  }

  @Test
  void aMachinesDeclarationCoversCommandsOfTwoDifferentClientsOnly() {
    StateMachine votes = new StateMachine() {
      @Override
      public byte[] apply(byte[] command, Context context) {
        return command;
      }

      @Override
      public byte[] query(byte[] query, ClientId caller) {
        return query;
      }

      @Override
      public byte[] snapshot() {
        return new byte[0];
      }

      @Override
      public void restore(byte[] snapshot) {}

      @Override
      public boolean commutes(byte[] command, byte[] other) {
        return true;
      }
    };
    Commuting declared = Commuting.declaredBy(votes);
    assertThat(declared.commute(request("a", "vote x"), request("b", "vote y"))).isTrue();
    assertThat(declared.commute(request("a", "vote x"), request("a", "vote y")))
        .as("one client's requests keep their order (O1)").isFalse();
    assertThat(declared.commute(request("a", "vote x"), Request.nullRequest(ClientId.of("b"), 1)))
        .isFalse();
  }
}
