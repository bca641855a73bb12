package io.lockstep.order.stamped;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DropsTest {
  @Test
  void countsEachDropInAllAndByCategory() {
    Drops drops = new Drops();
    drops.reject("late", "uid 3 after 5");
    drops.reject("chain", "bad signature");
    drops.reject("late", "uid 4 after 5");

    assertThat(drops.count()).isEqualTo(3);
    assertThat(drops.byCategory()).isEqualTo(Map.of("late", 2L, "chain", 1L));
  }

  @Test
  void drainingHandsOutTheReasonsInOrderOnceAndKeepsTheCounts() {
    Drops drops = new Drops();
    drops.reject("late", "first");
    drops.reject("late", "second");

    assertThat(drops.drainReasons()).containsExactly("first", "second");
    assertThat(drops.drainReasons()).isEmpty();
    assertThat(drops.count()).isEqualTo(2);
  }

  @Test
  void keepsAtMostTheBoundOfReasonsButCountsEveryDrop() {
    Drops drops = new Drops();
    for (int i = 0; i < Drops.REASONS_KEPT + 10; i++) {
      drops.reject("flood", "reason " + i);
    }

    assertThat(drops.drainReasons()).hasSize(Drops.REASONS_KEPT)
        .startsWith("reason 0").endsWith("reason " + (Drops.REASONS_KEPT - 1));
    assertThat(drops.count()).isEqualTo(Drops.REASONS_KEPT + 10);
    assertThat(drops.byCategory()).containsEntry("flood", (long) Drops.REASONS_KEPT + 10);
  }

  @Test
  void theCategoryCountsHandedOutAreACopy() {
    Drops drops = new Drops();
    drops.reject("late", "x");
    Map<String, Long> before = drops.byCategory();
    drops.reject("late", "y");

    assertThat(before).containsEntry("late", 1L);
  }
}
