package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.FaultRates;
import io.lockstep.sim.SimOptions;
import io.lockstep.timeline.Browser;
import io.lockstep.timeline.SimTimeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a checker catches a deliberately broken Raft, the timeline opens at the violation and
 * highlights the operations of the checker's explanation: the request a lost committed entry
 * held; the culprit of a non-linearizable history and the operations concurrent with it. In
 * Raft's package to reach the bug knob. Set {@code -Dtimeline.out=DIR} to keep the pages.
 */
class BrokenRaftTimelineTest {
  @TempDir
  Path dir;

  private Path write(SimTimeline.Run run, String name) throws Exception {
    String keep = System.getProperty("timeline.out");
    Path target = keep == null ? dir : Files.createDirectories(Path.of(keep));
    Path file = target.resolve(name);
    run.timeline().write(file);
    return file;
  }

  @Test
  void aLostCommittedEntryOpensAtTheFailureWithItsRequestHighlighted() throws Exception {
    CoordinationFactory quorumOfOne = (id, members, recovered, seed) ->
        new Raft(RaftConfig.defaults(id, members), recovered, seed, Raft.Bug.COMMIT_QUORUM_OF_ONE);
    SimTimeline.Run run = SimTimeline.run(SimOptions.defaults().withFaultPhaseMillis(3_000), 8,
        quorumOfOne);
    assertThat(run.result().failure()).startsWith("committed entry changed: position 24 was"
        + " Request[c3#6 ");
    try (Browser page = new Browser(write(run, "lost-commit.html"))) {
      assertThat(page.errors()).isEmpty();
      assertThat(page.eval("DATA.violation.text")).startsWith("committed entry changed");
      assertThat(page.eval("DATA.bars.filter(function (b) { return b[6] === 2; })"
          + ".map(function (b) { return DATA.requests[b[5]]; }).join(',')")).isEqualTo("c3#6");
      assertOpensAtTheViolation(page);
      assertThat(page.eval("document.getElementById('violation').style.display"))
          .isEqualTo("block");
    }
  }

  @Test
  void aNonLinearizableReadOpensWithTheCulpritAndItsConcurrentOperationsHighlighted()
      throws Exception {
    SimTimeline.Run run = null;
    for (long seed = 1; seed <= 40; seed++) {
      run = SimTimeline.run(STALE_READ_OPTIONS, seed, LOCAL_READS);
      if (!run.result().ok()) {
        break;
      }
    }
    assertThat(run.result().failure()).startsWith("linearizability:");
    assertThat(run.violation().highlights()).filteredOn(h -> h.culprit()).hasSize(1);
    try (Browser page = new Browser(write(run, "stale-read.html"))) {
      assertThat(page.errors()).isEmpty();
      assertThat(page.number("DATA.bars.filter(function (b) { return b[6] === 2; }).length"))
          .isEqualTo(1);
      assertThat(page.number("DATA.bars.filter(function (b) { return b[6] === 1; }).length"))
          .isEqualTo(run.violation().highlights().size() - 1);
      assertThat(page.eval("DATA.bars.filter(function (b) { return b[6] === 2; })[0][4]"))
          .contains(" ok read ");
      assertOpensAtTheViolation(page);
    }
  }

  /** The first view holds the violation and is narrower than the whole run. */
  private static void assertOpensAtTheViolation(Browser page) {
    double t = page.number("DATA.violation.t");
    assertThat(page.number("timeline.state.t0")).isLessThan(t);
    assertThat(page.number("timeline.state.t1")).isGreaterThan(t);
    assertThat(page.number("timeline.state.t1 - timeline.state.t0"))
        .isLessThan(page.number("DATA.end") / 2);
  }

  private static final SimOptions STALE_READ_OPTIONS = SimOptions.defaults()
      .withFaults(new FaultRates(300, 1_000, 0, 1, 0, 0, 0, 0, 0, 0.0, 0.0, false))
      .withFaultPhaseMillis(6_000);

  /** A leader that answers reads at once, without check-quorum: stale once cut off. */
  private static final CoordinationFactory LOCAL_READS = (id, members, recovered, seed) -> {
    RaftConfig c = RaftConfig.defaults(id, members);
    return new LocalReads(new Raft(c.withElectionSafeguards(c.preVote(), false), recovered,
        seed));
  };

  /** Grants reads wherever it believes it leads, at its commit index. */
  private static final class LocalReads extends ForwardingCoordination {
    private final List<Ready.ReadGrant> granted = new ArrayList<>();

    LocalReads(Coordination inner) {
      super(inner);
    }

    @Override
    public void step(Input input) {
      Status status = inner().status();
      if (input instanceof Input.Read read && status.role() == Role.LEADER) {
        granted.add(new Ready.ReadGrant(read.readId(), status.commitIndex()));
        return;
      }
      super.step(input);
    }

    @Override
    public Ready ready() {
      Ready ready = super.ready();
      if (granted.isEmpty()) {
        return ready;
      }
      List<Ready.ReadGrant> reads = new ArrayList<>(ready.reads());
      reads.addAll(granted);
      granted.clear();
      return new Ready(ready.writes(), ready.messages(), ready.install(), ready.stable(), reads,
          ready.redirects());
    }
  }
}
