package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationQuery;
import io.lockstep.configuration.ReplicaSetCheck;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * PBFT's replica-set rule is applied where a {@code SetReplicas} is ordered, by every executor
 * alike: a change the protocol could not survive is answered with the rule's reason on every
 * replica and leaves the replicated configuration as it was, so no checkpoint's state ever holds
 * it; an acceptable one is stated at least one window ahead whatever distance the executor was
 * configured with.
 */
class ReplicaSetRefusalTest {
  private static final List<Integer> FOUR = List.of(0, 1, 2, 3);
  private static final Signer SIGNER = Ed25519Signer.signers(
      Ed25519Signer.seededKeyPairs(List.of(0, 1, 2, 3, 4, 5), 3)).get(0);
  /** Replicas 0-3 vote; 4 and 5 are listed spares; 9 is in no cluster file. */
  private static final Set<Integer> LISTED = Set.of(0, 1, 2, 3, 4, 5);
  private static final Map<String, String> ORDERED = Map.of("replica-set", "ordered",
      "max-batch", "4", "checkpoint-interval", "8", "window", "16");

  @Test
  void aFixedReplicaSetRefusesEveryChangeSoClientsNeverCountADifferentSet() {
    Executor replica = executor(0, Map.of());
    Reply reply = order(replica, 1, 1, "0,1,2,4");
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).contains("pbft.replica-set=ordered");
    assertThat(replica.configuration().pending()).isEmpty();
    assertThat(new PbftProtocol().check(setup(Map.of("replica-set", "sometimes"))))
        .contains("pbft.replica-set must be fixed or ordered, was 'sometimes'");
  }

  @Test
  void everyExecutorRefusesWhatTheRuleRefusesWithItsReasonAndKeepsItsConfiguration() {
    Executor[] replicas = {executor(0), executor(1), executor(2), executor(3)};
    ClusterConfiguration before = replicas[0].configuration();
    String[][] refused = {
        {"0,1,2", "needs at least 4 replicas (n >= 3t+1)"},
        {"0,1,2,9", "replica 9 has no known key"},
        {"0,1,4,5", "the change adds [4, 5] at once; at most t=1"},
        {"0,1,2,3,4,5", "the change adds [4, 5] at once"},
        {"0,1,2,3", "the replica set is already [0, 1, 2, 3]"}};
    long position = 1;
    long sequence = 1;
    for (String[] change : refused) {
      for (Executor replica : replicas) {
        Reply reply = order(replica, position, sequence, change[0]);
        assertThat(reply.status()).as(change[0]).isEqualTo(Reply.Status.REJECTED);
        assertThat(reply.reason()).as(change[0]).contains(change[1]);
        assertThat(replica.configuration()).isEqualTo(before);
      }
      position++;
      sequence++;
    }
  }

  @Test
  void anAcceptedChangeIsStatedAtLeastOneWindowAheadAndTheNextIsJudgedAgainstIt() {
    Executor replica = executor(0);
    Reply ok = order(replica, 10, 1, "0,1,2,4");
    assertThat(ok.status()).isEqualTo(Reply.Status.OK);
    // window 16 × max-batch 4 = 64 positions, though the executor was configured with 1.
    assertThat(SystemCommands.receiptPosition(ok.value())).isEqualTo(10 + 64);
    // Judged against the pending [0, 1, 2, 4]: 3 and 5 would join at once.
    Reply second = order(replica, 11, 2, "0,1,3,5");
    assertThat(second.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(second.reason()).contains("the change adds [3, 5] at once");
    assertThat(replica.configuration().pending()).hasSize(1);
  }

  @Test
  void anOrderedConfigurationReadIsAnsweredByTheExecutorWithThePendingChange() {
    Executor replica = executor(0);
    order(replica, 10, 1, "0,1,2,4");
    // As the operator's tool sends it: sequence 1 of a fresh administrator session.
    Request read = Request.command(SystemCommands.adminSession("00ff"), 1,
        ConfigurationQuery.bytes());
    List<Reply> replies = replica.apply(new Ordered(11, 11, read));
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).status()).isEqualTo(Reply.Status.OK);
    ClusterConfiguration read11 = ConfigurationCodec.decode(replies.get(0).value());
    assertThat(read11).isEqualTo(replica.configuration());
    assertThat(read11.pending()).hasSize(1);
  }

  @Test
  void aMachineInNoFileJoinsOnceAnOrderedRecordHoldsItsKeyAndNotOnAnAddressAlone() {
    Executor replica = executor(0);
    byte[] key = Ed25519Signer.seededKeyPairs(List.of(9), 5).get(9).getPublic().getEncoded();
    assertThat(record(replica, 1, 1, new byte[0]).status()).isEqualTo(Reply.Status.OK);
    Reply keyless = order(replica, 2, 2, "0,1,2,9");
    assertThat(keyless.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(keyless.reason()).contains("replica 9 has no known key")
        .contains("lockstep member add 9");
    assertThat(record(replica, 3, 3, key).status()).isEqualTo(Reply.Status.OK);
    Reply ok = order(replica, 4, 4, "0,1,2,9");
    assertThat(ok.status()).as(ok.reason()).isEqualTo(Reply.Status.OK);
    assertThat(replica.configuration().pending()).hasSize(1);
    // The full ordered read shows the operator the record the rule counted.
    Request read = Request.command(SystemCommands.adminSession("00ff"), 1,
        ConfigurationQuery.withMembers());
    Reply full = replica.apply(new Ordered(5, 5, read)).get(0);
    assertThat(ConfigurationCodec.decodeFull(full.value()).members().get(9).hasKey()).isTrue();
  }

  @Test
  void aCheckIsOnlyBuiltForASetupThatPasses() {
    assertThatThrownBy(() -> new PbftProtocol().replicaSetCheck(new ProtocolSetup(0,
        List.of(0, 1, 2), FailureModel.BYZANTINE, 1, ORDERED, SIGNER), LISTED))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3t+1");
  }

  private static ProtocolSetup setup(Map<String, String> settings) {
    return new ProtocolSetup(0, FOUR, FailureModel.BYZANTINE, 1, settings, SIGNER);
  }

  private static Executor executor(int id) {
    return executor(id, ORDERED);
  }

  private static Executor executor(int id, Map<String, String> settings) {
    Executor executor = new Executor(new Inert(), ExecutorConfig.defaults(id)
        .withFailureModel(FailureModel.BYZANTINE, 1).withConfigurationDistance(1));
    ReplicaSetCheck check = new PbftProtocol().replicaSetCheck(setup(settings), LISTED)
        .orElseThrow();
    executor.replicaSetCheck(check);
    return executor;
  }

  private static Reply order(Executor executor, long position, long sequence, String replicas) {
    TreeSet<Integer> set = new TreeSet<>();
    for (String id : replicas.split(",")) {
      set.add(Integer.parseInt(id));
    }
    Request request = Request.command(SystemCommands.ADMIN, sequence,
        SystemCommands.encode(new SystemCommand.SetReplicas(set, 0)));
    List<Reply> replies = executor.apply(new Ordered(position, position, request));
    assertThat(replies).hasSize(1);
    return replies.get(0);
  }

  /** Orders a {@code SetMember} recording replica 9's addresses, with {@code key} or none. */
  private static Reply record(Executor executor, long position, long sequence, byte[] key) {
    Request request = Request.command(SystemCommands.ADMIN, sequence, SystemCommands.encode(
        new SystemCommand.SetMember(new io.lockstep.configuration.MemberAddresses(9,
            "10.0.0.9:7109", "10.0.0.9:7209", "", "", key), 0)));
    return executor.apply(new Ordered(position, position, request)).get(0);
  }

  /** A state machine with no state: only the configuration matters here. */
  private static final class Inert implements StateMachine {
    @Override
    public byte[] apply(byte[] command, Context context) {
      return new byte[0];
    }

    @Override
    public byte[] query(byte[] query, ClientId caller) {
      return new byte[0];
    }

    @Override
    public byte[] snapshot() {
      return new byte[0];
    }

    @Override
    public void restore(byte[] snapshot) {}
  }
}
