package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventQueueTest {
  @Test
  void actionsRunInTimeOrderAndTiesInSchedulingOrder() {
    EventQueue queue = new EventQueue();
    List<String> ran = new ArrayList<>();
    queue.at(20, () -> ran.add("b"));
    queue.at(10, () -> ran.add("a"));
    queue.at(20, () -> ran.add("c"));
    queue.at(10, () -> queue.after(0, () -> ran.add("a2")));
    while (queue.runNext()) {
      // drain
    }
    assertThat(ran).containsExactly("a", "a2", "b", "c");
    assertThat(queue.now()).isEqualTo(20);
    assertThat(queue.executed()).isEqualTo(5);
  }

  @Test
  void timeNeverGoesBackwards() {
    EventQueue queue = new EventQueue();
    queue.at(50, () -> {});
    queue.runNext();
    assertThatThrownBy(() -> queue.at(49, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before now 50");
    assertThatThrownBy(() -> queue.after(-1, () -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
