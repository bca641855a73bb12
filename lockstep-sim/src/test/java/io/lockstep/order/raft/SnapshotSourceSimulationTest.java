package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Snapshots from a replica other than the leader ({@link SnapshotFetch}) under the simulator's
 * default faults: the path is taken (a follower installs a source's snapshot, and some fall
 * back to the leader), and every seed stays linearizable and live. With every source's chunks
 * damaged on the way, the checksum keeps the real rule correct, and a variant that takes chunks
 * unchecked ({@code Bug.SNAPSHOT_SOURCE_UNCHECKED}) is caught by the checkers.
 */
class SnapshotSourceSimulationTest {
  private static final SimOptions OPTIONS = SimOptions.defaults();

  /** The default simulated Raft, keeping every replica it builds so the test can count. */
  private static CoordinationFactory keeping(List<Raft> built) {
    CoordinationFactory raft = Simulation.raft();
    return (id, members, recovered, seed) -> {
      Raft replica = (Raft) raft.create(id, members, recovered, seed);
      built.add(replica);
      return replica;
    };
  }

  /** Every replica's snapshot chunks sent as a source arrive with one bit flipped. */
  private static Map<Integer, MessageInterceptor> damagingSources() {
    MessageInterceptor damage = (from, outbound, random) -> {
      if (outbound.message() instanceof RaftMessage.SnapshotChunk c
          && c.chunk().data().length > 0) {
        RaftMessage.InstallSnapshot m = c.chunk();
        byte[] data = m.data().clone();
        data[random.nextInt(data.length)] ^= 1;
        return List.of(new Ready.Outbound(outbound.to(), new RaftMessage.SnapshotChunk(c.term(),
            new RaftMessage.InstallSnapshot(m.term(), m.index(), m.snapshotTerm(), m.time(),
                m.members(), m.size(), m.checksum(), m.offset(), data), c.checksum())));
      }
      return List.of(outbound);
    };
    Map<Integer, MessageInterceptor> all = new HashMap<>();
    for (int id = 0; id < OPTIONS.replicas(); id++) {
      all.put(id, damage);
    }
    return all;
  }

  private static CoordinationFactory variant(Raft.Bug bug) {
    return (id, members, recovered, seed) -> new Raft(RaftConfig.defaults(id, members)
        .withParallelLeaderAppend(true).withCompactionMargin(20), recovered, seed, bug);
  }

  /** The first failing seed of {@code seeds} with every source's chunks damaged, or null. */
  private static String firstFailure(Raft.Bug bug, int seeds) {
    for (long seed = 1; seed <= seeds; seed++) {
      SimResult result = Simulation.run(OPTIONS, seed, variant(bug), damagingSources());
      if (!result.ok()) {
        return "seed " + seed + ": " + result.failure();
      }
    }
    return null;
  }

  @Test
  void aFollowerThatTakesDamagedChunksUncheckedIsCaught() {
    String caught = firstFailure(Raft.Bug.SNAPSHOT_SOURCE_UNCHECKED, 30);
    System.out.println("unchecked: " + caught);
    assertThat(caught).isNotNull();
  }

  @Test
  void checkingTheChecksumSurvivesDamagedChunks() {
    assertThat(firstFailure(Raft.Bug.NONE, 15)).isNull();
  }

  @Test
  void followersInstallSnapshotsFromSourcesInTheDefaultSeedsAndStayCorrect() {
    List<String> failures = new ArrayList<>();
    long fromSources = 0;
    long fallbacks = 0;
    for (long seed = 1; seed <= 30; seed++) {
      List<Raft> built = new ArrayList<>();
      SimResult result = Simulation.run(OPTIONS, seed, keeping(built));
      if (!result.ok()) {
        failures.add("seed " + seed + ": " + result.failure());
      }
      fromSources += built.stream().mapToLong(r -> r.fetch().installedFromSources()).sum();
      fallbacks += built.stream().mapToLong(r -> r.fetch().fallbacks()).sum();
    }
    System.out.println("from sources: " + fromSources + ", fallbacks: " + fallbacks);
    assertThat(failures).isEmpty();
    assertThat(fromSources).as("snapshots installed from a source (fallbacks: %d)", fallbacks)
        .isPositive();
  }
}
