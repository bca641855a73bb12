package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Ready;
import io.lockstep.request.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The test-only setting {@code pbft.test-byzantine-behaviour.<id>}: it names one of the
 * simulator's behaviours for one replica process, and a file that asks for more than the fault
 * model allows, or for something a process cannot do, is refused with the reason.
 */
class TestBehaviourSettingTest {
  private static final List<Integer> FOUR = List.of(1, 2, 3, 4);
  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(FOUR, 3));
  private final Protocol pbft = new PbftProtocol();

  private static ProtocolSetup setup(int self, FailureModel model, Map<String, String> settings) {
    return new ProtocolSetup(self, FOUR, model, 1, settings, SIGNERS.get(self));
  }

  @Test
  void theNamedReplicaGetsTheSimulatorsBehaviourAndTheOthersStayHonest() {
    Map<String, String> settings = Map.of("test-byzantine-behaviour.3", "wrong-replies");
    assertThat(pbft.check(setup(3, FailureModel.BYZANTINE, settings))).isEmpty();
    Protocol.TestBehaviour liar = pbft.testBehaviour(setup(3, FailureModel.BYZANTINE, settings))
        .orElseThrow();
    assertThat(liar.name()).isEqualTo("wrong-replies");
    Reply truth = new Reply(io.lockstep.machine.ClientId.of("c"), 1, Reply.Status.OK,
        "42".getBytes(StandardCharsets.UTF_8), "", 7, 3);
    assertThat(new String(liar.interceptor().reply(truth, new SplittableRandom(1)).value(),
        StandardCharsets.UTF_8)).as("a well-formed wrong answer").isEqualTo("43");
    assertThat(pbft.testBehaviour(setup(2, FailureModel.BYZANTINE, settings))).isEmpty();
  }

  @Test
  void everySimulatorBehaviourHasANameAProcessCanSelectOrAReasonItCannot() {
    for (ByzantineBehaviour b : ByzantineBehaviour.values()) {
      List<String> problems = pbft.check(setup(1, FailureModel.BYZANTINE,
          Map.of("test-byzantine-behaviour.2", b.configName())));
      if (b.simulatorOnly() == null) {
        assertThat(problems).as(b.configName()).isEmpty();
      } else {
        assertThat(problems).as(b.configName())
            .anyMatch(p -> p.contains("runs only in the simulator"));
      }
    }
    assertThat(ByzantineBehaviour.SLOW_PRIMARY.configName()).isEqualTo("slow-primary");
  }

  @Test
  void anUnknownBehaviourOrReplicaIsRefusedNamingTheChoices() {
    List<String> problems = pbft.check(setup(1, FailureModel.BYZANTINE,
        Map.of("test-byzantine-behaviour.9", "lie-a-lot")));
    assertThat(problems)
        .anyMatch(p -> p.equals("pbft.test-byzantine-behaviour.9: '9' is not the id of a"
            + " configured replica"))
        .anyMatch(p -> p.startsWith("pbft.test-byzantine-behaviour.9 is 'lie-a-lot'; it must be"
            + " one of silent, equivocate, corrupt"));
  }

  @Test
  void moreMisbehavingReplicasThanTIsRefused() {
    assertThat(pbft.check(setup(1, FailureModel.BYZANTINE, Map.of(
        "test-byzantine-behaviour.2", "silent", "test-byzantine-behaviour.3", "silent"))))
        .anyMatch(p -> p.startsWith("2 replicas are set to misbehave"));
  }

  @Test
  void aCrashFaultClusterIsRefusedTheSwitch() {
    assertThat(pbft.check(setup(1, FailureModel.FAIL_STOP,
        Map.of("test-byzantine-behaviour.2", "silent"))))
        .contains("pbft.test-byzantine-behaviour.<id> (test only) needs"
            + " cluster.failure-model=byzantine");
  }

  @Test
  void theSilentReplicaSendsNothing() {
    Protocol.TestBehaviour silent = pbft.testBehaviour(setup(2, FailureModel.BYZANTINE,
        Map.of("test-byzantine-behaviour.2", "silent"))).orElseThrow();
    Ready.Outbound out = new Ready.Outbound(1, new PbftMessage.Prepare(0, 1,
        Digest.of(new byte[] {1})));
    assertThat(silent.interceptor().intercept(2, out, new SplittableRandom(1))).isEmpty();
  }
}
