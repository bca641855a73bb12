package io.lockstep.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring keeps the newest events in bounded memory and counts what it overwrote. */
class JournalRingTest {
  private static Stamped event(long n) {
    return new Stamped(n, 0, Event.position(Event.Kind.STABLE, n));
  }

  @Test
  void aFullRingOverwritesTheOldestAndCountsThem() {
    JournalRing ring = new JournalRing(4);
    for (long n = 1; n <= 10; n++) {
      ring.add(event(n));
    }
    assertThat(ring.size()).isEqualTo(4);
    assertThat(ring.overwritten()).isEqualTo(6);
    List<Stamped> out = new ArrayList<>();
    assertThat(ring.drainTo(out)).isEqualTo(4);
    assertThat(out).extracting(Stamped::nanos).containsExactly(7L, 8L, 9L, 10L);
    assertThat(ring.size()).isZero();
  }

  @Test
  void drainingMakesRoomAndKeepsOrderAcrossTheWrap() {
    JournalRing ring = new JournalRing(3);
    List<Stamped> out = new ArrayList<>();
    for (long n = 1; n <= 7; n++) {
      ring.add(event(n));
      if (n % 2 == 0) {
        ring.drainTo(out);
      }
    }
    ring.drainTo(out);
    assertThat(out).extracting(Stamped::nanos).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(ring.overwritten()).isZero();
  }

  @Test
  void addingByColumnsKeepsEachEventsTimeReplicaAndEventAcrossOverwrites() {
    JournalRing ring = new JournalRing(2);
    Event send = Event.message(Event.Kind.SEND, 2, Event.NONE, "AppendEntries");
    Event apply = Event.request(Event.Kind.APPLY, "c", 4, 9, "OK ");
    Event stable = Event.position(Event.Kind.STABLE, 9);
    ring.add(10, 0, send);
    ring.add(20, 1, apply);
    ring.add(30, 2, stable);
    List<Stamped> out = new ArrayList<>();
    ring.drainTo(out);
    assertThat(out).containsExactly(new Stamped(20, 1, apply), new Stamped(30, 2, stable));
    assertThat(ring.overwritten()).isEqualTo(1);
  }

  @Test
  void drainingManyChunksKeepsOrderAndReleasesEveryEvent() {
    JournalRing ring = new JournalRing(5_000);
    for (long n = 1; n <= 7_000; n++) {
      ring.add(event(n));
    }
    List<Long> times = new ArrayList<>();
    assertThat(ring.drainTo((nanos, replica, event) -> times.add(nanos))).isEqualTo(5_000);
    assertThat(times).hasSize(5_000).startsWith(2_001L).endsWith(7_000L).isSorted();
    assertThat(ring.size()).isZero();
    assertThat(ring.overwritten()).isEqualTo(2_000);
  }

  @Test
  void oneDrainTakesAtMostOneRingsWorthWhileTheLoopKeepsAdding() {
    JournalRing ring = new JournalRing(1_500);
    for (long n = 1; n <= 1_500; n++) {
      ring.add(event(n));
    }
    long[] next = {1_501};
    // A writer that cannot keep up: the loop adds one event for each one drained.
    int drained = ring.drainTo((nanos, replica, event) -> ring.add(event(next[0]++)));
    assertThat(drained).isEqualTo(1_500);
    assertThat(ring.size()).isEqualTo(1_500);
  }

  @Test
  void aMissingEventIsRefusedWithoutTakingASlot() {
    JournalRing ring = new JournalRing(2);
    assertThatThrownBy(() -> ring.add(1, 0, null)).isInstanceOf(NullPointerException.class);
    assertThat(ring.size()).isZero();
  }

  @Test
  void aRingNeedsRoom() {
    assertThatThrownBy(() -> new JournalRing(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
