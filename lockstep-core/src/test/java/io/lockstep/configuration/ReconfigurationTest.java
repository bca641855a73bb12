package io.lockstep.configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import org.junit.jupiter.api.Test;

/** The configuration component's rules: stated positions, order of effect, versions. */
class ReconfigurationTest {
  private static final ClientId C7 = ClientId.of("7");

  @Test
  void aChangeTakesEffectBeforeTheFirstPositionAtOrAfterItsStatedOneAndNotBefore() {
    Reconfiguration r = new Reconfiguration();
    long at = r.order(new SystemCommand.RemoveClient(C7, 0), 10, 64);
    assertThat(at).isEqualTo(74);
    assertThat(r.takeEffect(73)).isEmpty();
    assertThat(r.refusal(C7)).isNull();
    assertThat(r.takeEffect(80)).hasSize(1);
    assertThat(r.refusal(C7))
        .isEqualTo("client 7 was removed from the configuration at position 74");
    assertThat(ClusterConfiguration.removedClient(r.refusal(C7))).isTrue();
    assertThat(ClusterConfiguration.removedClient("unknown or expired session")).isFalse();
  }

  @Test
  void changesApplyInTheOrderTheyWereOrderedAndEachStepCountsAVersion() {
    Reconfiguration r = new Reconfiguration();
    r.order(new SystemCommand.RemoveDevice("flap-1", 0), 1, 4);
    r.order(new SystemCommand.AddDevice("flap-1", 20), 2, 4);
    assertThat(r.version()).isEqualTo(2);
    assertThat(r.takeEffect(30)).hasSize(2);
    assertThat(r.version()).isEqualTo(4);
    assertThat(r.current().deviceEnabled("flap-1")).isTrue();
    assertThat(r.current().devices()).containsExactly("flap-1");
  }

  @Test
  void aChangeThatWouldChangeNothingCountingPendingOnesIsRefused() {
    Reconfiguration r = new Reconfiguration();
    r.order(new SystemCommand.SetReplicas(new java.util.TreeSet<>(java.util.List.of(1, 2, 3)), 0),
        1, 4);
    assertThatThrownBy(() -> r.order(new SystemCommand.SetReplicas(
        new java.util.TreeSet<>(java.util.List.of(1, 2, 3)), 0), 2, 4))
        .hasMessage("the replica set is already [1, 2, 3] (counting pending changes)");
    r.order(new SystemCommand.RemoveClient(C7, 0), 3, 4);
    r.order(new SystemCommand.AddClient(C7, 0), 4, 4);
    assertThatThrownBy(() -> r.order(new SystemCommand.AddClient(C7, 0), 5, 4))
        .hasMessage("client 7 is already admitted (counting pending changes)");
    r.takeEffect(100);
    assertThatThrownBy(() -> r.order(new SystemCommand.AddClient(C7, 0), 101, 4))
        .hasMessage("client 7 is already admitted (counting pending changes)");
    assertThat(r.current().removedClients()).isEmpty();
  }

  @Test
  void pendingChangesAreBoundedSoOrderedCommandsCannotGrowTheStateWithoutLimit() {
    Reconfiguration r = new Reconfiguration();
    for (int i = 0; i < Reconfiguration.MAX_PENDING; i++) {
      r.order(new SystemCommand.AddClient(ClientId.of("c" + i), 1_000_000), i + 1, 1);
    }
    assertThatThrownBy(() -> r.order(new SystemCommand.AddClient(ClientId.of("x"), 1_000_000),
        5_000, 1)).isInstanceOf(ConfigurationRefusal.class)
        .hasMessage("1000 changes are already pending");
  }
}
