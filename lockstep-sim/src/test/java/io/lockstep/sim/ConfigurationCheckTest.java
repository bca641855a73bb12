package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration checker fails on each way a replica can get a removal wrong. */
class ConfigurationCheckTest {
  private static final ClientId C1 = ClientId.of("c1");
  private static final long AT = 50;

  private static List<ConfigurationAdmin.Receipt> removedAt50() {
    Reply receipt = new Reply(SystemCommands.ADMIN, 1, Reply.Status.OK,
        SystemCommands.receipt(AT), "", 30, 0);
    return List.of(new ConfigurationAdmin.Receipt(new SystemCommand.RemoveClient(C1, 0),
        receipt));
  }

  private static Reply ok(long position) {
    return new Reply(C1, position, Reply.Status.OK, new byte[0], "", position, 0);
  }

  private static Reply refused(long position, long at) {
    return new Reply(C1, position, Reply.Status.REJECTED, new byte[0],
        ClusterConfiguration.removedClientReason(C1, at), position, 0);
  }

  @Test
  void repliesThatFollowTheRulePass() {
    ConfigurationCheck check = new ConfigurationCheck();
    check.onReply(0, ok(49));
    check.onReply(1, refused(AT, AT));
    check.onReply(2, refused(AT + 7, AT));
    assertThat(check.verifyReplies(removedAt50())).isNull();
    assertThat(check.refusals()).isEqualTo(2);
  }

  @Test
  void aRequestServedAtOrAfterTheStatedPositionIsCaught() {
    ConfigurationCheck check = new ConfigurationCheck();
    check.onReply(2, ok(AT));
    assertThat(check.verifyReplies(removedAt50()))
        .startsWith("configuration: replica 2 answered c1 at position 50 with OK");
  }

  @Test
  void aRefusalBeforeTheStatedPositionOrNamingAnotherOneIsCaught() {
    ConfigurationCheck early = new ConfigurationCheck();
    early.onReply(1, refused(AT - 1, AT - 1));
    assertThat(early.verifyReplies(removedAt50())).contains("no removal of it was in force there");
    ConfigurationCheck otherPosition = new ConfigurationCheck();
    otherPosition.onReply(1, refused(AT + 1, AT + 1));
    assertThat(otherPosition.verifyReplies(removedAt50())).contains("was removed at position 50");
  }

  @Test
  void afterAReadmissionTakesEffectARefusalIsCaughtAndServiceIsNot() {
    Reply readmit = new Reply(SystemCommands.ADMIN, 2, Reply.Status.OK,
        SystemCommands.receipt(80), "", 60, 0);
    List<ConfigurationAdmin.Receipt> receipts = new java.util.ArrayList<>(removedAt50());
    receipts.add(new ConfigurationAdmin.Receipt(new SystemCommand.AddClient(C1, 0), readmit));
    ConfigurationCheck fine = new ConfigurationCheck();
    fine.onReply(0, refused(79, AT));
    fine.onReply(0, ok(80));
    assertThat(fine.verifyReplies(receipts)).isNull();
    ConfigurationCheck late = new ConfigurationCheck();
    late.onReply(1, refused(80, AT));
    assertThat(late.verifyReplies(receipts)).contains("no removal of it was in force there");
  }

  @Test
  void aRefusalWithoutAnOrderedRemovalIsCaught() {
    ConfigurationCheck check = new ConfigurationCheck();
    check.onReply(0, refused(AT, AT));
    assertThat(check.verifyReplies(List.of())).contains("no removal of it was in force there");
  }
}
