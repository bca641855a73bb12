package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Where the invariants are checked: the cheap ones after every step, every slot's once per
 * {@link Pbft#ready()} (walking up to the whole window after every step was a tenth of a busy
 * loop), so a broken slot never reaches the Ready that would carry it out.
 */
class InvariantsTest {
  @Test
  void aSlotThatExecutedOtherThanItCommittedIsCaughtAtTheNextReady() {
    Net net = new Net(c -> c);
    net.send(net.request());
    net.run();
    Pbft backup = net.nodes[1];
    assertThat(backup.lastExecuted()).isEqualTo(1);
    Slot executed = backup.slots.get(1L);
    assertThat(executed.executedDigest).isNotNull();
    executed.committed = Digest.of("another batch".getBytes(StandardCharsets.UTF_8));

    // A step alone does not walk the slots ...
    assertThatCode(() -> backup.step(new Input.Tick(net.now + 1, 1_700_000_000_000L)))
        .doesNotThrowAnyException();
    // ... but nothing leaves before it is walked.
    assertThatThrownBy(backup::ready).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PBFT invariant broken at replica 1")
        .hasMessageContaining("at seq 1 but committed");
  }

  @Test
  void aSlotExecutedBeyondTheLastExecutedIsCaughtAtTheNextReady() {
    Net net = new Net(c -> c);
    net.send(net.request());
    net.run();
    Pbft backup = net.nodes[2];
    Slot ahead = backup.slot(5); // seq 2 to 4 never arrived, so nothing executes up to it
    ahead.committed = Digest.of("a later batch".getBytes(StandardCharsets.UTF_8));
    ahead.executedDigest = ahead.committed;
    assertThatThrownBy(backup::ready).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("executed seq 5 beyond its last executed 1");
  }

  @Test
  void theCheapInvariantsStillFailTheStepThatBrokeThem() {
    Net net = new Net(c -> c);
    net.send(net.request());
    net.run();
    Pbft backup = net.nodes[3];
    backup.changingView = true; // without a view change of its own
    assertThatThrownBy(() -> backup.step(new Input.Tick(net.now + 1, 1_700_000_000_000L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("changes view without a view change of its own");
  }
}
