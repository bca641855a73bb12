package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link RecentlyExecuted} answers exactly as two generations of ordinary sets would, whatever
 * the table's probe limit (a limit of one sends most keys to the overflow set, which is how a
 * faulty client's run of keys aimed at one slot ends up).
 */
class RecentlyExecutedTest {
  /** The behaviour it must keep: the generations as sets of keys. */
  private static final class Model {
    private final int generation;
    private Set<Pending.Key> newer = new HashSet<>();
    private Set<Pending.Key> older = new HashSet<>();

    Model(int generation) {
      this.generation = generation;
    }

    void add(Pending.Key key) {
      if (newer.size() >= generation) {
        older = newer;
        newer = new HashSet<>();
      }
      newer.add(key);
    }

    boolean contains(Pending.Key key) {
      return newer.contains(key) || older.contains(key);
    }
  }

  /** Keys from a few clients (copies of the client id, as decoded requests carry) and senders. */
  private static Pending.Key randomKey(Random random) {
    ClientId client = ClientId.of("client-" + random.nextInt(9));
    ClientId copyFrom = random.nextInt(5) == 0 ? ClientId.of("sender-" + random.nextInt(3)) : null;
    return new Pending.Key(client, random.nextInt(400) - 5, copyFrom);
  }

  private static void agreesWithTheModel(long seed, int remembered, int probeLimit) {
    Random random = new Random(seed);
    RecentlyExecuted recent = new RecentlyExecuted(remembered, probeLimit);
    Model model = new Model(remembered);
    for (int step = 0; step < 4_000; step++) {
      Pending.Key key = randomKey(random);
      if (random.nextBoolean()) {
        recent.add(key);
        model.add(key);
      }
      Pending.Key asked = random.nextInt(4) == 0 ? key : randomKey(random);
      assertThat(recent.contains(asked))
          .as("seed %d, remembered %d, probe limit %d, step %d: %s", seed, remembered,
              probeLimit, step, asked)
          .isEqualTo(model.contains(asked));
    }
  }

  @Test
  void answersAsTwoGenerationsOfSetsWouldForManySeeds() {
    for (long seed = 0; seed < 60; seed++) {
      for (int remembered : new int[] {1, 7, 100, 1_000}) {
        for (int probeLimit : new int[] {1, 2, ExecutedGeneration.PROBE_LIMIT}) {
          agreesWithTheModel(seed, remembered, probeLimit);
        }
      }
    }
  }

  @Test
  void remembersAtLeastAGenerationAndForgetsAfterTwo() {
    RecentlyExecuted recent = new RecentlyExecuted(1_000);
    ClientId client = ClientId.of("c");
    for (long s = 1; s <= 2_500; s++) {
      recent.add(new Pending.Key(ClientId.of("c"), s, null));
    }
    // Generations of 1,000: the newer holds 2,001..2,500, the older 1,001..2,000.
    assertThat(recent.contains(new Pending.Key(client, 1_001, null))).isTrue();
    assertThat(recent.contains(new Pending.Key(client, 2_500, null))).isTrue();
    assertThat(recent.contains(new Pending.Key(client, 1_000, null))).isFalse();
    assertThat(recent.contains(new Pending.Key(client, 2_501, null))).isFalse();
    assertThat(recent.contains(new Pending.Key(client, 1_500, ClientId.of("c")))).isFalse();
  }

  @Test
  void aRunOfKeysOnOneSlotStillAnswersExactlyPastTheProbeLimit() {
    // Sequence numbers chosen to share a slot can only fill PROBE_LIMIT slots; the rest go to
    // the overflow. Here every key overflows at once (limit 1), in tables of every size.
    ExecutedGeneration generation = new ExecutedGeneration(1);
    ClientId client = ClientId.of("faulty");
    for (long s = 0; s < 5_000; s++) {
      generation.add(new Pending.Key(client, s * 1_024, null));
      generation.add(new Pending.Key(client, s * 1_024, null));
    }
    assertThat(generation.size()).isEqualTo(5_000);
    for (long s = 0; s < 5_000; s++) {
      assertThat(generation.contains(new Pending.Key(client, s * 1_024, null))).isTrue();
      assertThat(generation.contains(new Pending.Key(client, s * 1_024 + 1, null))).isFalse();
    }
  }
}
