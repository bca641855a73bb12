package io.lockstep.order;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The commuting declaration as the protocol SPI carries it (paper §3, S12): built from the
 * machine, and kept by every copy of a {@link ProtocolSetup} the runtime makes.
 */
class CommutingTest {
  /** A machine whose commands all commute (when {@code declares}) or that keeps the default. */
  private static StateMachine machine(boolean declares) {
    StateMachine base = new StateMachine() {
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
    };
    if (!declares) {
      return base;
    }
    return new StateMachine() {
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
  }

  private static Request command(String client) {
    return Request.command(ClientId.of(client), 1, "x".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aMachineThatDeclaresNothingGivesNothingSoProtocolsNeedNotLook() {
    assertThat(Commuting.declaredBy(machine(false))).isSameAs(Commuting.NOTHING);
  }

  @Test
  void aDeclarationCoversCommandsOfTwoDifferentClientsOnly() {
    Commuting declared = Commuting.declaredBy(machine(true));
    assertThat(declared).isNotSameAs(Commuting.NOTHING);
    assertThat(declared.commute(command("a"), command("b"))).isTrue();
    assertThat(declared.commute(command("a"), command("a")))
        .as("one client's requests keep their order (O1)").isFalse();
    assertThat(declared.commute(command("a"), Request.nullRequest(ClientId.of("b"), 1)))
        .isFalse();
  }

  @Test
  void everyCopyOfASetupKeepsTheDeclaration() {
    ProtocolSetup plain = new ProtocolSetup(1, List.of(1, 2), FailureModel.FAIL_STOP, 1,
        Map.of());
    assertThat(plain.commuting()).as("nothing unless the runtime says").isSameAs(
        Commuting.NOTHING);
    Commuting declared = Commuting.declaredBy(machine(true));
    ProtocolSetup given = plain.withCommuting(declared)
        .withSnapshotReceiver(SnapshotReceiver.inMemory());
    assertThat(given.commuting()).isSameAs(declared);
    assertThat(given.withCommuting(Commuting.NOTHING).commuting()).isSameAs(Commuting.NOTHING);
  }
}
