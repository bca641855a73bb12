package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationQuery;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.MembershipEntry;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.Authorizer;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Paper §7 (S20): clients, devices and replicas as replicated state of the executor. */
class ExecutorConfigurationTest {
  private static final ClientId C1 = ClientId.of("c1");
  private static final long DISTANCE = 5;

  private static Feed feed() {
    return new Feed(ExecutorConfig.defaults(0).withConfigurationDistance(DISTANCE));
  }

  private static Reply admin(Feed feed, long sequence, SystemCommand command) {
    List<Reply> out = feed.apply(Request.command(SystemCommands.ADMIN, sequence,
        SystemCommands.encode(command)), feed.position);
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  @Test
  void aRemovedClientIsRefusedFromExactlyItsStatedPositionOnAndItsSessionIsDropped() {
    Feed feed = feed();
    feed.send("c1", 1, "note:one", 1);
    Reply receipt = admin(feed, 1, new SystemCommand.RemoveClient(C1, 0));
    assertThat(receipt.status()).isEqualTo(Reply.Status.OK);
    long at = SystemCommands.receiptPosition(receipt.value());
    assertThat(at).isEqualTo(receipt.position() + DISTANCE);

    // Until the stated position the client is served as before.
    long sequence = 2;
    while (feed.position + 1 < at) {
      assertThat(feed.send("c1", sequence, "note:" + sequence, 2).get(0).status())
          .isEqualTo(Reply.Status.OK);
      sequence++;
    }
    assertThat(feed.executor.sessionCount()).isEqualTo(2);
    List<Reply> refused = feed.send("c1", sequence, "note:late", 3);
    assertThat(refused.get(0).position()).isEqualTo(at);
    assertThat(refused.get(0).status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(refused.get(0).reason())
        .isEqualTo("client c1 was removed from the configuration at position " + at);
    assertThat(feed.machine.scripts()).doesNotContain("note:late");
    assertThat(feed.executor.sessionCount()).as("only the administrator's session").isEqualTo(1);

    // A retry of a request that ran before gets the same final refusal: the session is gone.
    assertThat(feed.send("c1", 1, "note:one", 4).get(0).reason())
        .isEqualTo(ClusterConfiguration.removedClientReason(C1, at));
    assertThat(feed.send("c2", 1, "note:other", 4).get(0).status()).isEqualTo(Reply.Status.OK);
  }

  @Test
  void aChangeTakesEffectAtTheFirstAppliedPositionAtOrAfterTheStatedOneWhenPositionsHaveGaps() {
    Feed feed = feed();
    Reply receipt = admin(feed, 1, new SystemCommand.RemoveClient(C1, 0));
    long at = SystemCommands.receiptPosition(receipt.value());
    feed.position = at + 3;  // a protocol no-op gap over the stated position
    Reply refused = feed.send("c1", 1, "note:x", 1).get(0);
    assertThat(refused.reason()).isEqualTo(ClusterConfiguration.removedClientReason(C1, at));
  }

  @Test
  void aStatedPositionTooSoonOrBeforeAnEarlierChangeIsRefusedAndChangesNothing() {
    Feed feed = feed();
    Reply soon = admin(feed, 1, new SystemCommand.RemoveClient(C1, 3));
    assertThat(soon.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(soon.reason()).isEqualTo("stated position 3 is too soon: the change was ordered"
        + " at 1 and needs a distance of 5");
    assertThat(feed.executor.configuration()).isEqualTo(ClusterConfiguration.INITIAL);

    assertThat(admin(feed, 2, new SystemCommand.AddDevice("flap-1", 100)).status())
        .isEqualTo(Reply.Status.OK);
    Reply earlier = admin(feed, 3, new SystemCommand.RemoveDevice("flap-0", 50));
    assertThat(earlier.reason()).contains("changes take effect in the order they were ordered");
    assertThat(feed.executor.configuration().pending()).hasSize(1);
  }

  @Test
  void malformedOrPointlessSystemCommandsGetAClearRefusal() {
    Feed feed = feed();
    Reply garbage = feed.apply(Request.command(SystemCommands.ADMIN, 1, new byte[] {1, 99}), 0)
        .get(0);
    assertThat(garbage.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(garbage.reason()).isEqualTo("malformed system command: unknown command type 99");
    assertThat(admin(feed, 2, new SystemCommand.RemoveClient(SystemCommands.ADMIN, 0)).reason())
        .isEqualTo("the administrator lockstep:admin cannot be removed");
    assertThat(admin(feed, 3, new SystemCommand.RemoveClient(C1, 0)).status())
        .isEqualTo(Reply.Status.OK);
    assertThat(admin(feed, 4, new SystemCommand.RemoveClient(C1, 0)).reason())
        .isEqualTo("client c1 is already removed (counting pending changes)");
    assertThat(feed.machine.applyCalls).as("system commands never reach the machine").isZero();
  }

  @Test
  void repliesCarryTheVersionAndTheQueryReturnsTheConfigurationWithPendingChanges() {
    Feed feed = feed();
    assertThat(feed.send("c2", 1, "note:a", 0).get(0).configVersion()).isZero();
    Reply receipt = admin(feed, 1, new SystemCommand.RemoveDevice("flap-2", 0));
    assertThat(receipt.configVersion()).as("ordered: pending").isEqualTo(1);
    ClusterConfiguration polled = ConfigurationCodec.decode(
        feed.executor.query(C1, ConfigurationQuery.bytes()));
    assertThat(polled.pending()).hasSize(1);
    assertThat(polled.pending().get(0).at()).isEqualTo(receipt.position() + DISTANCE);
    assertThat(polled.deviceEnabled("flap-2")).isTrue();
    while (feed.position < receipt.position() + DISTANCE - 1) {
      feed.tick(1);
    }
    Reply after = feed.send("c2", 2, "note:b", 2).get(0);
    assertThat(after.configVersion()).as("took effect").isEqualTo(2);
    polled = ConfigurationCodec.decode(feed.executor.query(C1, ConfigurationQuery.bytes()));
    assertThat(polled.deviceEnabled("flap-2")).isFalse();
    assertThat(polled.removedDevices()).containsEntry("flap-2", receipt.position() + DISTANCE);
    assertThat(polled.pending()).isEmpty();
  }

  @Test
  void aRemovedClientsQueriesAreRefusedButItMayStillPollTheConfiguration() {
    Feed feed = feed();
    long at = SystemCommands.receiptPosition(
        admin(feed, 1, new SystemCommand.RemoveClient(C1, 0)).value());
    assertThat(feed.executor.query(C1, new byte[] {1})).isNotEmpty();
    feed.position = at - 1;
    feed.tick(1);
    assertThatThrownBy(() -> feed.executor.query(C1, new byte[] {1}))
        .isInstanceOf(Rejection.class)
        .hasMessage(ClusterConfiguration.removedClientReason(C1, at));
    assertThat(ConfigurationCodec.decode(feed.executor.query(C1, ConfigurationQuery.bytes()))
        .clientRemovedAt(C1)).contains(at);
  }

  @Test
  void aClientAddedAgainStartsANewSessionAtSequenceOne() {
    Feed feed = feed();
    feed.send("c1", 1, "note:a", 0);
    long removedAt = SystemCommands.receiptPosition(
        admin(feed, 1, new SystemCommand.RemoveClient(C1, 0)).value());
    long addedAt = SystemCommands.receiptPosition(
        admin(feed, 2, new SystemCommand.AddClient(C1, removedAt + 10)).value());
    feed.position = removedAt;
    assertThat(feed.send("c1", 2, "note:b", 1).get(0).reason()).contains("was removed");
    feed.position = addedAt;
    assertThat(feed.send("c1", 2, "note:c", 2).get(0).reason())
        .isEqualTo(Executor.UNKNOWN_SESSION);
    assertThat(feed.send("c1", 1, "note:d", 3).get(0).status()).isEqualTo(Reply.Status.OK);
    assertThat(feed.executor.configuration().clients()).containsExactly(C1);
  }

  @Test
  void theAdministratorIsNotSubjectToTheUsersAuthorizer() {
    Authorizer onlyC1 = (client, command) -> client.equals(C1)
        ? Optional.empty() : Optional.of("only c1");
    Feed feed = new Feed(ExecutorConfig.defaults(0).withAuthorizer(onlyC1)
        .withConfigurationDistance(DISTANCE));
    assertThat(admin(feed, 1, new SystemCommand.SetReplicas(new TreeSet<>(List.of(0, 1, 2)), 0))
        .status()).isEqualTo(Reply.Status.OK);
    assertThat(feed.send("c2", 1, "note:a", 0).get(0).reason()).isEqualTo("only c1");
  }

  @Test
  void theConfigurationIsInSnapshotsAndDigestsAndARestoredReplicaRefusesAtTheSamePosition() {
    Feed original = feed();
    original.send("c1", 1, "note:a", 0);
    long at = SystemCommands.receiptPosition(
        admin(original, 1, new SystemCommand.RemoveClient(C1, 0)).value());
    admin(original, 2, new SystemCommand.AddDevice("flap-1", 0));
    Feed one = feed();
    Feed other = feed();
    admin(one, 1, new SystemCommand.RemoveClient(C1, 0));
    admin(other, 1, new SystemCommand.RemoveClient(ClientId.of("c9"), 0));
    assertThat(other.replies).isEqualTo(one.replies);
    assertThat(other.executor.digest()).as("equal but for the configuration")
        .isNotEqualTo(one.executor.digest());

    Feed restored = feed();
    restored.executor.restore(original.executor.snapshot());
    restored.position = original.position;
    assertThat(restored.executor.digest()).isEqualTo(original.executor.digest());
    assertThat(restored.executor.configuration()).isEqualTo(original.executor.configuration());
    for (Feed f : List.of(original, restored)) {
      f.replies.clear();
      while (f.position < at + 1) {
        f.send("c1", 2, "note:again", 5);
      }
    }
    assertThat(restored.replies).isEqualTo(original.replies);
    assertThat(original.replies.get(original.replies.size() - 1).reason())
        .isEqualTo(ClusterConfiguration.removedClientReason(C1, at));
    assertThat(restored.executor.digest()).isEqualTo(original.executor.digest());
  }

  @Test
  void eachAdministratorSessionIssuesSystemCommandsFromSequenceOneAndNeverReachesTheMachine() {
    Feed feed = feed();
    assertThat(admin(feed, 1, new SystemCommand.AddDevice("flap-1", 0)).status())
        .isEqualTo(Reply.Status.OK);
    ClientId tool = SystemCommands.adminSession("cli-1");
    Reply receipt = feed.apply(Request.command(tool, 1,
        SystemCommands.encode(new SystemCommand.RemoveClient(C1, 0))), 1).get(0);
    assertThat(receipt.client()).isEqualTo(tool);
    assertThat(receipt.status()).as(receipt.reason()).isEqualTo(Reply.Status.OK);
    assertThat(SystemCommands.receiptPosition(receipt.value()))
        .isEqualTo(receipt.position() + DISTANCE);
    assertThat(feed.executor.configuration().pending()).hasSize(2);
    assertThat(feed.apply(Request.command(tool, 2, "note:x".getBytes()), 1).get(0).reason())
        .as("an administrator session's bytes are a system command, never the machine's")
        .startsWith("malformed system command");
    assertThat(feed.machine.scripts()).doesNotContain("note:x");
    assertThat(admin(feed, 2, new SystemCommand.RemoveClient(tool, 0)).reason())
        .isEqualTo("the administrator " + tool + " cannot be removed");
    assertThat(SystemCommands.isAdmin(ClientId.of("lockstep:administrator"))).isFalse();
  }

  @Test
  void theReplicaSetFollowsTheProtocolsMembershipEntriesAtTheirOwnPositions() {
    Feed feed = feed();
    feed.send("c1", 1, "note:a", 0);
    long before = feed.executor.configuration().version();
    feed.apply(MembershipEntry.encode(feed.position + 1, List.of(1, 2, 3, 4)), 1);
    ClusterConfiguration grown = feed.executor.configuration();
    assertThat(grown.replicas()).containsExactly(1, 2, 3, 4);
    assertThat(grown.version()).isEqualTo(before + 1);
    assertThat(feed.send("c1", 2, "note:b", 1).get(0).configVersion())
        .as("replies tell clients to poll").isEqualTo(grown.version());
    feed.apply(MembershipEntry.encode(feed.position + 1, List.of(1, 2, 3, 4)), 1);
    assertThat(feed.executor.configuration().version()).as("the same set moves nothing")
        .isEqualTo(grown.version());
    feed.apply(new Request(MembershipEntry.ISSUER, feed.position + 1, Request.Kind.NULL,
        new byte[] {0, 0, 0, 9}, null), 1);
    assertThat(feed.executor.configuration()).as("a malformed entry is ignored alike")
        .isEqualTo(grown);
    feed.apply(MembershipEntry.encode(feed.position + 1, List.of(2, 3, 4)), 1);
    assertThat(feed.executor.configuration().replicas()).containsExactly(2, 3, 4);

    Feed restored = feed();
    restored.executor.restore(feed.executor.snapshot());
    assertThat(restored.executor.configuration()).isEqualTo(feed.executor.configuration());
    assertThat(restored.executor.digest()).isEqualTo(feed.executor.digest());
  }

  @Test
  void recordedAddressesTakeEffectAtOnceAndAreInSnapshotsDigestsAndTheFullQuery() {
    Feed feed = feed();
    feed.send("c1", 1, "note:a", 0);
    MemberAddresses four = new MemberAddresses(4, "h4:7000", "h4:7100", "h4:8080", "",
        new byte[0]);
    Reply receipt = admin(feed, 1, new SystemCommand.SetMember(four, 0));
    assertThat(receipt.status()).as(receipt.reason()).isEqualTo(Reply.Status.OK);
    assertThat(SystemCommands.receiptPosition(receipt.value())).isEqualTo(receipt.position());
    assertThat(feed.executor.configuration().members()).containsEntry(4, four);
    assertThat(ConfigurationCodec.decodeFull(
        feed.executor.query(C1, ConfigurationQuery.withMembers())).members())
        .containsEntry(4, four);
    assertThat(ConfigurationCodec.decode(feed.executor.query(C1, ConfigurationQuery.bytes()))
        .members()).as("the short answer, for earlier clients").isEmpty();

    Feed other = feed();
    other.send("c1", 1, "note:a", 0);
    admin(other, 1, new SystemCommand.SetMember(new MemberAddresses(4, "h5:7000", "h4:7100",
        "h4:8080", "", new byte[0]), 0));
    assertThat(other.executor.digest()).as("the addresses are in the digest")
        .isNotEqualTo(feed.executor.digest());
    Feed restored = feed();
    restored.executor.restore(feed.executor.snapshot());
    assertThat(restored.executor.configuration()).isEqualTo(feed.executor.configuration());
    assertThat(restored.executor.digest()).isEqualTo(feed.executor.digest());
  }
}
