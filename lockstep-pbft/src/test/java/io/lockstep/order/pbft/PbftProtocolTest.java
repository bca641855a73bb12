package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protocol as the runtime finds it: registration, configuration checks, creation. */
class PbftProtocolTest {
  private static final List<Integer> FOUR = List.of(0, 1, 2, 3);
  private static final Map<Integer, Signer> SIGNERS =
      Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(FOUR, 3));

  private static ProtocolSetup setup(List<Integer> members, FailureModel model, int t,
      Map<String, String> settings, Signer signer) {
    return new ProtocolSetup(0, members, model, t, settings, signer);
  }

  /** The largest t allowed still fits 2t+1 real signed votes in the hard state. */
  @Test
  void theHardStateHoldsTheStableProofOfTheLargestTAllowed() {
    PbftMessage.CheckpointVote vote =
        Signing.signCheckpoint(SIGNERS.get(0), 1, Digest.of(new byte[] {1}), 1);
    List<PbftMessage.CheckpointVote> proof =
        java.util.Collections.nCopies(2 * PbftProtocol.MAX_T + 1, vote);
    byte[] hard = new DurableState(Long.MAX_VALUE, true, proof)
        .withSettings(new PositionSettings(Batch.MAX_REQUESTS, 1 << 29, 1 << 30)).encode();
    assertThat(hard.length).isLessThanOrEqualTo(
        io.lockstep.order.StorageWrite.HardState.MAX_BYTES);
    assertThat(DurableState.decode(hard).proof()).hasSize(2 * PbftProtocol.MAX_T + 1);
    assertThat(hard.length).as("what 2t+1 votes take at t = MAX_T").isGreaterThan(3_000);
  }

  @Test
  void isFoundByNameThroughTheRegistry() {
    assertThat(Protocols.named("pbft")).isInstanceOf(PbftProtocol.class);
    assertThat(Protocols.named("pbft").defaultSettings()).containsEntry("window", "1024")
        .containsEntry("checkpoint-interval", "512");
  }

  @Test
  void aValidByzantineSetupBuildsAPrimaryForViewZero() {
    Protocol pbft = new PbftProtocol();
    ProtocolSetup ok = setup(FOUR, FailureModel.BYZANTINE, 1, Map.of("max-batch", "8"),
        SIGNERS.get(0));
    assertThat(pbft.check(ok)).isEmpty();
    assertThat(pbft.create(ok, Recovered.EMPTY, 1).status().role()).isEqualTo(Role.LEADER);
  }

  @Test
  void byzantineModeNeedsThreeTPlusOneReplicasAndSaysWhy() {
    List<String> problems = new PbftProtocol().check(setup(List.of(0, 1, 2),
        FailureModel.BYZANTINE, 1, Map.of(), SIGNERS.get(0)));
    assertThat(problems).anyMatch(p -> p.contains("needs at least 4 replicas (3t+1"));
  }

  @Test
  void crashFaultClustersAreSentToRaft() {
    assertThat(new PbftProtocol().check(setup(FOUR, FailureModel.FAIL_STOP, 1, Map.of(),
        SIGNERS.get(0)))).anyMatch(p -> p.contains("use raft"));
  }

  @Test
  void aSetupWithoutKeysIsRefusedWithTheReason() {
    ProtocolSetup keyless = setup(FOUR, FailureModel.BYZANTINE, 1, Map.of(), Signer.none(0));
    assertThat(new PbftProtocol().check(keyless)).anyMatch(p -> p.contains("lockstep keys"));
    assertThatThrownBy(() -> new PbftProtocol().create(keyless, Recovered.EMPTY, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no signing key");
  }

  @Test
  void unknownAndBadSettingsAreListed() {
    List<String> problems = new PbftProtocol().check(setup(FOUR, FailureModel.BYZANTINE, 1,
        Map.of("windw", "8", "max-batch", "x", "window", "24", "checkpoint-interval", "16"),
        SIGNERS.get(0)));
    assertThat(problems).anyMatch(p -> p.contains("unknown setting pbft.windw"))
        .anyMatch(p -> p.contains("pbft.max-batch must be a whole number"));
    List<String> misfit = new PbftProtocol().check(setup(FOUR, FailureModel.BYZANTINE, 1,
        Map.of("window", "24", "checkpoint-interval", "16"), SIGNERS.get(0)));
    assertThat(misfit).anyMatch(p -> p.contains("multiple of the checkpoint interval"));
  }
}
