package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Input;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Where the invariants are checked: the cheap ones after every step, the slots' once per
 * {@link Pbft#ready()} (walking up to the whole window after every step was a tenth of a busy
 * loop), so a broken slot never reaches the Ready that would carry it out; a Ready checks only
 * the slots whose digests changed since the last one ({@link ChangedSlots}).
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
    assertThat(executed.executedDigest()).isNotNull();
    executed.commit(Digest.of("another batch".getBytes(StandardCharsets.UTF_8)));

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
    ahead.commit(Digest.of("a later batch".getBytes(StandardCharsets.UTF_8)));
    ahead.execute(ahead.committed());
    assertThatThrownBy(backup::ready).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("executed seq 5 beyond its last executed 1");
  }

  @Test
  void aSlotWhoseExecutedDigestIsBrokenAfterExecutionIsCaughtAtTheNextReady() {
    Net net = new Net(c -> c);
    for (int i = 0; i < 3; i++) {
      net.send(net.request());
      net.run();
    }
    Pbft backup = net.nodes[2];
    assertThat(backup.lastExecuted()).isEqualTo(3);
    assertThat(backup.changedSlots.changed()).as("the last Ready checked them all").isEmpty();
    backup.slots.get(2L).execute(Digest.of("not what committed".getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(backup::ready).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at seq 2 but committed");
  }

  @Test
  void aBrokenSlotWhoseChangeWasPastTheBoundIsFoundByWalkingTheWholeWindow() {
    Net net = new Net(c -> c);
    net.send(net.request());
    net.run();
    Pbft backup = net.nodes[1];
    Slot executed = backup.slots.get(1L);
    executed.execute(Digest.of("another batch".getBytes(StandardCharsets.UTF_8)));
    for (int i = 0; i < ChangedSlots.MAX; i++) {
      backup.slot(10 + i % 40).commit(executed.committed()); // fine: none executed
    }
    assertThat(backup.changedSlots.changed()).as("too many changes to keep").isEmpty();
    assertThatThrownBy(backup::ready).hasMessageContaining("at seq 1 but committed");
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
