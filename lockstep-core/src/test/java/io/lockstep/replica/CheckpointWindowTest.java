package io.lockstep.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.replica.CheckpointWindow.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** S1 in a running cluster: digests of equal positions are compared, whichever arrives first. */
class CheckpointWindowTest {
  private static Checkpoint at(long position, String digest) {
    return new Checkpoint(position, digest);
  }

  @Test
  void aPeersDigestArrivingAfterTheLocalOneIsComparedAtOnce() {
    CheckpointWindow window = new CheckpointWindow(8);
    assertThat(window.recordLocal(at(1000, "aa"))).isEmpty();

    Optional<Comparison> c = window.recordRemote(2, at(1000, "aa"));

    assertThat(c).contains(new Comparison(2, 1000, "aa", "aa"));
    assertThat(c.orElseThrow().agrees()).isTrue();
    assertThat(window.pendingReports()).isZero();
  }

  @Test
  void aPeersDigestArrivingFirstWaitsUntilThisReplicaReachesItsPosition() {
    CheckpointWindow window = new CheckpointWindow(8);
    assertThat(window.recordRemote(3, at(2000, "bb"))).isEmpty();
    assertThat(window.pendingReports()).isEqualTo(1);
    assertThat(window.recordLocal(at(1000, "aa"))).isEmpty();

    List<Comparison> out = window.recordLocal(at(2000, "bb"));

    assertThat(out).containsExactly(new Comparison(3, 2000, "bb", "bb"));
    assertThat(window.pendingReports()).isZero();
  }

  @Test
  void unequalDigestsAtOnePositionDisagreeAndNameBothSides() {
    CheckpointWindow window = new CheckpointWindow(8);
    window.recordRemote(2, at(500, "remote"));
    List<Comparison> out = window.recordLocal(at(500, "local"));

    assertThat(out).singleElement().satisfies(c -> {
      assertThat(c.agrees()).isFalse();
      assertThat(c.peer()).isEqualTo(2);
      assertThat(c.position()).isEqualTo(500);
      assertThat(c.local()).isEqualTo("local");
      assertThat(c.remote()).isEqualTo("remote");
    });
    assertThat(window.recordRemote(3, at(500, "local")).orElseThrow().agrees()).isTrue();
  }

  @Test
  void digestsOfDifferentPositionsAreNeverCompared() {
    CheckpointWindow window = new CheckpointWindow(8);
    window.recordLocal(at(1000, "aa"));
    assertThat(window.recordRemote(2, at(1001, "zz"))).isEmpty();
    assertThat(window.recordLocal(at(1002, "aa"))).isEmpty();
  }

  @Test
  void aPositionThisReplicaSkippedIsDroppedNotReportedAsDivergence() {
    // E.g. it installed a snapshot past 2000, so it never recorded 2000 itself.
    CheckpointWindow window = new CheckpointWindow(8);
    window.recordRemote(2, at(2000, "xx"));
    assertThat(window.recordLocal(at(3000, "cc"))).isEmpty();
    assertThat(window.pendingReports()).isZero();
    assertThat(window.recordRemote(3, at(2000, "yy"))).isEmpty();
    assertThat(window.uncompared()).isEqualTo(2);
  }

  @Test
  void theOldestLocalDigestsAreEvictedBeyondCapacity() {
    CheckpointWindow window = new CheckpointWindow(2);
    window.recordLocal(at(1, "a"));
    window.recordLocal(at(2, "b"));
    window.recordLocal(at(3, "c"));

    assertThat(window.recordRemote(2, at(1, "other"))).isEmpty();
    assertThat(window.uncompared()).isEqualTo(1);
    assertThat(window.recordRemote(2, at(2, "b"))).isPresent();
    assertThat(window.recordRemote(2, at(3, "c"))).isPresent();
  }

  @Test
  void aPeerFarAheadKeepsOnlyItsNewestReports() {
    CheckpointWindow window = new CheckpointWindow(2);
    window.recordRemote(2, at(10, "a"));
    window.recordRemote(2, at(20, "b"));
    window.recordRemote(2, at(30, "c"));
    assertThat(window.pendingReports()).isEqualTo(2);
    assertThat(window.uncompared()).isEqualTo(1);

    assertThat(window.recordLocal(at(10, "a"))).isEmpty();
    assertThat(window.recordLocal(at(20, "b"))).hasSize(1);
  }

  @Test
  void everyPeerIsComparedSeparately() {
    CheckpointWindow window = new CheckpointWindow(4);
    window.recordRemote(2, at(7, "same"));
    window.recordRemote(3, at(7, "different"));

    List<Comparison> out = new ArrayList<>(window.recordLocal(at(7, "same")));
    out.sort((a, b) -> Integer.compare(a.peer(), b.peer()));

    assertThat(out).extracting(Comparison::peer).containsExactly(2, 3);
    assertThat(out).extracting(Comparison::agrees).containsExactly(true, false);
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new CheckpointWindow(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
  }

  /**
   * Whatever the interleaving of local and peer digests (the same increasing positions on both
   * sides, the window large enough), every position is compared exactly once, and the one
   * position whose digest was altered, and only it, disagrees.
   */
  @Property(tries = 300)
  void everyPositionIsComparedOnceInAnyOrderOfArrival(
      @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 50) Integer> gaps,
      @ForAll long interleaving, @ForAll @IntRange(min = -1, max = 39) int altered) {
    List<Long> positions = new ArrayList<>();
    long p = 0;
    for (int gap : gaps) {
      positions.add(p += gap);
    }
    CheckpointWindow window = new CheckpointWindow(positions.size());
    List<Comparison> seen = new ArrayList<>();
    java.util.SplittableRandom random = new java.util.SplittableRandom(interleaving);
    int local = 0;
    int remote = 0;
    while (local < positions.size() || remote < positions.size()) {
      boolean takeLocal = remote == positions.size()
          || (local < positions.size() && random.nextBoolean());
      if (takeLocal) {
        seen.addAll(window.recordLocal(at(positions.get(local), "d" + local)));
        local++;
      } else {
        String digest = remote == altered ? "altered" : "d" + remote;
        window.recordRemote(2, at(positions.get(remote), digest)).ifPresent(seen::add);
        remote++;
      }
    }
    assertThat(seen).extracting(Comparison::position).containsExactlyInAnyOrderElementsOf(
        positions);
    assertThat(seen).filteredOn(c -> !c.agrees()).extracting(Comparison::position)
        .containsExactlyElementsOf(altered >= 0 && altered < positions.size()
            ? List.of(positions.get(altered)) : List.of());
    assertThat(window.uncompared()).isZero();
  }
}
