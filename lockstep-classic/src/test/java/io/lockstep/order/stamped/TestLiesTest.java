package io.lockstep.order.stamped;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Ready;
import io.lockstep.order.agreement.DolevStrong;
import io.lockstep.order.agreement.RoundMessage;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The test-only lie switch of the Byzantine classic orders: a replica lies only with the
 * explicit test flag, in a Byzantine cluster, as a known lie, and never more than t of them.
 */
class TestLiesTest {
  private static final List<Integer> MEMBERS = List.of(1, 2, 3);
  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(MEMBERS, 4));

  private static ProtocolSetup setup(int self, FailureModel model, Map<String, String> s) {
    return new ProtocolSetup(self, MEMBERS, model, 1, s, SIGNERS.get(self));
  }

  private static Map<String, String> lie(String name) {
    return Map.of("test-lies", "enabled", "test-byzantine-behaviour.3", name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"real-time", "replica-uid"})
  void aKnownLieWithTheTestFlagPassesAndOnlyTheNamedReplicaRunsIt(String protocol) {
    Protocol p = Protocols.named(protocol);
    assertThat(p.check(setup(3, FailureModel.BYZANTINE, lie("silent")))).isEmpty();
    assertThat(p.testBehaviour(setup(1, FailureModel.BYZANTINE, lie("silent")))).isEmpty();
    Protocol.TestBehaviour liar = p.testBehaviour(setup(3, FailureModel.BYZANTINE,
        lie("silent"))).orElseThrow();
    assertThat(liar.name()).isEqualTo("silent");
    // The simulator's own lie: a silent replica sends nothing at all.
    Ready.Outbound sent = new Ready.Outbound(1, new RoundMessage(new DolevStrong.Chain(5, 3,
        new byte[] {1}, List.of())));
    assertThat(liar.interceptor().intercept(3, sent, new SplittableRandom(1))).isEmpty();
    assertThat(p.testBehaviour(setup(3, FailureModel.BYZANTINE, Map.of()))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"real-time", "replica-uid"})
  void aLieWithoutTheExplicitTestFlagIsRefusedWithTheReason(String protocol) {
    Protocol p = Protocols.named(protocol);
    assertThat(p.check(setup(1, FailureModel.BYZANTINE,
        Map.of("test-byzantine-behaviour.3", "equivocate")))).singleElement().asString()
        .contains("for tests only", "refused unless", protocol + ".test-lies=enabled");
    assertThat(p.check(setup(1, FailureModel.BYZANTINE, Map.of("test-lies", "yes",
        "test-byzantine-behaviour.3", "equivocate")))).singleElement().asString()
        .contains("test-lies is 'yes'", "one value is enabled");
  }

  @Test
  void unknownLiesAndReplicasMoreThanTLiarsAndFailStopAreRefused() {
    Protocol p = Protocols.named("real-time");
    assertThat(p.check(setup(1, FailureModel.BYZANTINE, lie("lie-nicely")))).singleElement()
        .asString().contains("is 'lie-nicely'", "silent", "equivocate", "extreme-uids",
            "forged-requests");
    assertThat(p.check(setup(1, FailureModel.BYZANTINE, Map.of("test-lies", "enabled",
        "test-byzantine-behaviour.9", "silent")))).singleElement().asString()
        .contains("'9' is not the id of a configured replica");
    assertThat(p.check(setup(1, FailureModel.BYZANTINE, Map.of("test-lies", "enabled",
        "test-byzantine-behaviour.2", "silent", "test-byzantine-behaviour.3", "silent"))))
        .singleElement().asString().contains("2 replicas are set to lie", "t=1");
    assertThat(p.check(new ProtocolSetup(1, MEMBERS, FailureModel.FAIL_STOP, 1, lie("silent"),
        Signer.none(1)))).anySatisfy(problem -> assertThat(problem)
        .contains("needs cluster.failure-model=byzantine"));
    assertThat(Protocols.named("logical-clock").check(new ProtocolSetup(1, MEMBERS,
        FailureModel.FAIL_STOP, 1, lie("silent"), Signer.none(1)))).anySatisfy(problem ->
        assertThat(problem).contains("needs cluster.failure-model=byzantine"));
  }
}
