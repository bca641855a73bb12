package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.cuid.CuidMessage.Carry;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.testing.Harness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replica-uid protocol as the runtime sees it: registration, check, restart, codec. */
class ReplicaUidProtocolTest {
  private static ProtocolSetup setup(int n, int t, FailureModel model, Map<String, String> s) {
    return new ProtocolSetup(0, java.util.stream.IntStream.range(0, n).boxed().toList(), model,
        t, s);
  }

  @Test
  void registeredAndCheckRefusesWhatCannotWork() {
    var p = Protocols.named("replica-uid");
    assertThat(p).isInstanceOf(ReplicaUidProtocol.class);
    assertThat(p.check(setup(2, 1, FailureModel.FAIL_STOP, Map.of()))).isEmpty();
    assertThat(p.check(setup(3, 1, FailureModel.BYZANTINE, Map.of())))
        .singleElement().asString().contains("has no signing key");
    assertThat(p.check(setup(2, 2, FailureModel.FAIL_STOP, Map.of())))
        .singleElement().asString().contains("needs t+1 = 3 replicas");
    assertThat(p.check(setup(2, 1, FailureModel.FAIL_STOP, Map.of("failure-timeout-ms", "50"))))
        .singleElement().asString().contains("must exceed null-interval-ms + max-delay-ms");    assertThat(p.check(setup(2, 1, FailureModel.FAIL_STOP, Map.of("variant", "abcast"))))
        .isEmpty();
    assertThat(p.check(setup(2, 1, FailureModel.FAIL_STOP, Map.of("variant", "isis"))))
        .singleElement().asString().contains("every-replica or abcast", "'isis'");
  }

  @Test
  void variantAbcastBuildsTheAbcastOrderAndTheDefaultBroadcastsCandidates() {
    var p = new ReplicaUidProtocol();
    for (String variant : new String[] {"every-replica", "abcast"}) {
      ProtocolSetup setup = setup(2, 1, FailureModel.FAIL_STOP, Map.of("variant", variant));
      Coordination order = p.create(setup, Recovered.EMPTY, 1);
      order.step(new Input.Tick(1, 1));
      order.step(new Input.Receive(1, new Carry(1, 1, new long[2], 0, 1, Kind.REQUEST, -1, 0, 0,
          Harness.request("c", "put x 1"))));
      List<Object> sent = order.ready().messages().stream().map(m -> (Object) m.message())
          .toList();
      long unicast = sent.stream().filter(m -> m instanceof CuidMessage.Candidate).count();
      long broadcast = sent.stream().filter(m -> m instanceof Carry c
          && c.kind() == Kind.CANDIDATE).count();
      assertThat(new long[] {unicast, broadcast}).as(variant)
          .containsExactly(variant.equals("abcast") ? new long[] {1, 0} : new long[] {0, 1});
    }
  }

  @Test
  void aReplicaThatRanBeforeRejoinsUnderFailStopWithEitherVariant() {
    var p = new ReplicaUidProtocol();
    ProtocolSetup setup = setup(2, 1, FailureModel.FAIL_STOP, Map.of());
    Coordination fresh = p.create(setup, Recovered.EMPTY, 1);
    StorageWrite marker = fresh.ready().writes().get(0);
    Recovered ranBefore = new Recovered((StorageWrite.HardState) marker, null, List.of());
    for (String variant : new String[] {"every-replica", "abcast"}) {
      ProtocolSetup chosen = setup(2, 1, FailureModel.FAIL_STOP, Map.of("variant", variant));
      assertThat(engine(p.create(chosen, ranBefore, 2)).joining())
          .as("a restarted %s replica rejoins (paper §7.2)", variant).isTrue();
      assertThat(engine(p.create(setup(2, 1, FailureModel.FAIL_STOP,
          Map.of("variant", variant, "cluster-started", "true")), Recovered.EMPTY, 3)).joining())
          .as("an empty %s replica of a running cluster is not taken for a first start", variant)
          .isTrue();
    }
    assertThat(engine(fresh).joining()).as("a first start does not wait").isFalse();
    assertThat(p.everyReplicaOrders()).isTrue();
    assertThat(p.timingAssumptions(setup).orElseThrow().maxSkewMillis()).isEmpty();
  }

  /** The fail-stop engine a created replica runs (it halts and rejoins around it). */
  private static CandidateOrder engine(Coordination created) {
    return (CandidateOrder) ((io.lockstep.order.stamped.HaltThenRejoin) created).engine();
  }

  @Test
  void codecRoundTripsEveryKindAndRefusesMalformedBytes() {
    CuidCodec codec = CuidCodec.INSTANCE;
    List<Carry> all = List.of(
        new Carry(1, 2, new long[] {1, 2}, 1, 5, Kind.NULL, -1, 0, 0, null),
        new Carry(1, 3, new long[] {1, 2}, 0, 5, Kind.REQUEST, -1, 0, 0,
            Harness.request("c", "put x 1")),
        new Carry(0, 4, new long[] {4, 3}, 0, 5, Kind.BARRIER, -1, 0, 0, null),
        new Carry(0, 5, new long[] {4, 3}, 0, 5, Kind.CANDIDATE, 1, 3, 17, null),
        new Carry(0, 6, new long[] {4, 3}, 0, 5, Kind.FINAL, 1, 3, 17, null, 1));
    for (Carry c : all) {
      assertThat(codec.decode(codec.encode(c))).isEqualTo(c);
    }
    CuidMessage.Candidate candidate = new CuidMessage.Candidate(1, 0, 4, 9);
    assertThat(codec.decode(codec.encode(candidate))).isEqualTo(candidate);
    Carry admit = new Carry(0, 7, new long[] {6, 3}, 2, 5, Kind.ADMIT, 1, 0, 0, null);
    assertThat(codec.decode(codec.encode(admit))).isEqualTo(admit);
    assertThat(codec.decode(codec.encode(new CuidMessage.JoinRequest(1))))
        .isEqualTo(new CuidMessage.JoinRequest(1));
    CuidMessage.JoinState state = new CuidMessage.JoinState(1, 4, new byte[] {9, 8}, 5, 77,
        new long[] {6, 3}, 2, 40, 38, Map.of(1, new long[] {6, 3}), List.of(all.get(0)),
        List.of(all.get(1), all.get(3)));
    var decoded = (CuidMessage.JoinState) codec.decode(codec.encode(state));
    assertThat(decoded).usingRecursiveComparison().isEqualTo(state);
    byte[] stateBytes = codec.encode(state);
    assertThatThrownBy(() -> codec.decode(java.util.Arrays.copyOf(stateBytes,
        stateBytes.length - 1))).as("a truncated state").isInstanceOf(RuntimeException.class);
    byte[] finalBytes = codec.encode(all.get(4));
    assertThatThrownBy(() -> codec.decode(java.util.Arrays.copyOf(finalBytes,
        finalBytes.length - 4))).as("a final uid without its winner").isInstanceOf(
        RuntimeException.class);
    byte[] candidateBytes = codec.encode(candidate);
    candidateBytes[candidateBytes.length - 1] = 0;
    assertThatThrownBy(() -> codec.decode(candidateBytes)).hasMessageContaining("counter");
    byte[] bytes = codec.encode(all.get(3));
    assertThatThrownBy(() -> codec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(RuntimeException.class);
    byte[] zeroCounter = codec.encode(all.get(3));
    zeroCounter[zeroCounter.length - 1] = 0;
    assertThatThrownBy(() -> codec.decode(zeroCounter)).hasMessageContaining("counter");
  }
}
