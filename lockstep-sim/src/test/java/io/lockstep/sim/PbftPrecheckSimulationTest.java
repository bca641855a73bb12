package io.lockstep.sim;

import io.lockstep.order.pbft.ByzantineBehaviour;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.PreverifiedSigner;
import org.junit.jupiter.api.Test;

/**
 * The simulator takes the server's signature path: every message is pre-checked as it arrives
 * ({@link CoordinationFactory#arriving}) and the cores answer their signature checks from those
 * verdicts, also when a Byzantine replica forges signatures.
 */
class PbftPrecheckSimulationTest {
  @Test
  void correctReplicasAnswerTheirSignatureChecksFromThePrecheckUnderForgedSignatures() {
    SimOptions options = PbftSimulation.options().withFaultPhaseMillis(1_500)
        .withLivenessOpsPerClient(2);
    long seed = 5; // replica seed mod 4 = 1 lies
    PbftSimulation.Factory factory = (PbftSimulation.Factory) PbftSimulation.factory();
    SimResult result = PbftSimulation.run(options, seed, factory, ByzantineBehaviour.CORRUPT);
    assertThat(result.ok()).as(result.toString()).isTrue();
    for (int id : new int[] {0, 2, 3}) {
      PreverifiedSigner signer = factory.signer(id);
      assertThat(signer.answeredFromMemory()).as("replica " + id).isPositive();
      assertThat(signer.verifiedInline()).as("replica " + id).isZero();
    }
  }
}
