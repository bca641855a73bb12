package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * UID1, UID2 and the stability test (paper §3.2.3) at one replica, replica 0 of three, fed the other
 * replicas' broadcasts by hand with chosen candidates.
 */
class CandidateRulesTest {
  private final CandidateOrder zero = new CandidateOrder(
      StampedConfig.defaults(0, List.of(0, 1, 2)), Recovered.EMPTY, false);
  private final List<Ordered> applied = new ArrayList<>();
  private final List<Carry> sent = new ArrayList<>();

  private void step(Input input) {
    zero.step(input);
    Ready ready = zero.ready();
    applied.addAll(ready.stable());
    ready.messages().forEach(m -> sent.add((Carry) m.message()));
  }

  private void from(int origin, long seq, Kind kind, int reqOrigin, long reqSeq, long counter,
      Request request) {
    step(new Input.Receive(origin, new Carry(origin, seq, new long[3], 0, 1, kind, reqOrigin,
        reqSeq, counter, request)));
  }

  private long ownCandidateFor(int reqOrigin, long reqSeq) {
    return sent.stream().filter(c -> c.kind() == Kind.CANDIDATE && c.requestOrigin() == reqOrigin
        && c.requestSeq() == reqSeq).findFirst().orElseThrow().counter();
  }

  @Test
  void uid1TheUidIsTheLargestCandidateOnceEveryLiveReplicaProposed() {
    step(new Input.Tick(1, 1));
    Request r1 = Harness.request("a", "put x 1");
    from(1, 1, Kind.REQUEST, -1, 0, 0, r1); // own candidate (1, 0)
    from(1, 2, Kind.CANDIDATE, 1, 1, 7, null);
    assertThat(applied).as("replica 2 has not proposed: no uid yet").isEmpty();
    from(2, 1, Kind.CANDIDATE, 1, 1, 3, null); // uid(r1) = (7, 1)
    assertThat(applied).extracting(Ordered::request).containsExactly(r1);
    // r2 has the smaller own candidate and is accepted first, r3 the smaller largest one.
    Request r2 = Harness.request("b", "put x 2");
    Request r3 = Harness.request("c", "put x 3");
    from(1, 3, Kind.REQUEST, -1, 0, 0, r2); // own (8, 0)
    from(2, 2, Kind.REQUEST, -1, 0, 0, r3); // own (9, 0)
    from(2, 3, Kind.CANDIDATE, 2, 2, 11, null);
    from(2, 4, Kind.CANDIDATE, 1, 3, 12, null);
    from(1, 4, Kind.CANDIDATE, 1, 3, 9, null); // uid(r2) = (12, 2); r3 pending at (9, 0)
    assertThat(applied).extracting(Ordered::request).containsExactly(r1);
    from(1, 5, Kind.CANDIDATE, 2, 2, 10, null); // uid(r3) = (11, 2) < uid(r2)
    assertThat(applied).extracting(Ordered::request).containsExactly(r1, r3, r2);
  }

  @Test
  void uid2ARequestSeenAfterAcceptingAnotherGetsACandidateAboveItsUid() {
    step(new Input.Tick(1, 1));
    Request r = Harness.request("c", "put x 1");
    from(1, 1, Kind.REQUEST, -1, 0, 0, r);
    assertThat(ownCandidateFor(1, 1)).isEqualTo(1);
    from(1, 2, Kind.CANDIDATE, 1, 1, 9, null);
    from(2, 1, Kind.CANDIDATE, 1, 1, 3, null); // uid(r) = (9, 1): accepted
    assertThat(applied).extracting(Ordered::request).containsExactly(r);
    from(1, 3, Kind.REQUEST, -1, 0, 0, Harness.request("c", "put x 2"));
    assertThat(ownCandidateFor(1, 3)).as("cuid(0, r') > uid(r)").isGreaterThan(9);
  }

  @Test
  void acceptedRequestIsNotStableWhileASeenRequestHasACandidateBelowItsUid() {
    step(new Input.Tick(1, 1));
    Request r1 = Harness.request("a", "put x 1");
    Request r2 = Harness.request("b", "put x 2");
    step(new Input.Propose(r1)); // 0#1, own candidate (1, 0) in 0#2
    from(1, 1, Kind.REQUEST, -1, 0, 0, r2); // 0 sees r2: own candidate (2, 0)
    from(1, 2, Kind.CANDIDATE, 1, 1, 5, null);
    from(1, 3, Kind.CANDIDATE, 0, 1, 6, null);
    from(2, 1, Kind.CANDIDATE, 0, 1, 1, null); // r1 accepted: uid (6, 1)
    assertThat(applied).as("r2 is seen, not accepted, with candidate (2,0) < (6,1)").isEmpty();
    from(2, 2, Kind.CANDIDATE, 1, 1, 2, null); // r2 accepted: uid (5, 1) < (6, 1)
    assertThat(applied).extracting(Ordered::request).containsExactly(r2, r1);
  }
}
