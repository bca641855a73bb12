package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Coordination;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.order.raft.Raft;
import io.lockstep.order.raft.RaftConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The linearizability checker has teeth on its own: a protocol whose leader answers reads from
 * its local state without confirming it still leads (no ReadIndex heartbeat round, and no
 * check-quorum to make an isolated leader step down) serves stale reads once partitioned away
 * from a majority (a fault that caused stale reads in real systems). The replicas never disagree on
 * the order, so only the client history can show the bug.
 */
class StaleReadTest {
  /** Wraps a correct protocol but grants reads at once wherever it believes it leads. */
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

  /** Without check-quorum an isolated leader keeps believing it leads until it hears a newer term. */
  private static RaftConfig withoutCheckQuorum(RaftConfig c) {
    return new RaftConfig(c.self(), c.members(), c.electionTimeoutMillis(), c.heartbeatMillis(),
        c.maxBatchEntries(), c.maxInflightAppends(), c.preVote(), false, c.leaseReads(),
        c.maxClockDrift());
  }

  @Test
  void readsServedByAnUnconfirmedLeaderAreCaughtAsNotLinearizable() {
    CoordinationFactory localReads = (id, members, recovered, seed) ->
        new LocalReads(new Raft(withoutCheckQuorum(RaftConfig.defaults(id, members)), recovered,
            seed));
    FaultRates partitionsOnly = new FaultRates(300, 1_000, 0, 1, 0, 0, 0, 0, 0, 0.0, 0.0, false);
    SimOptions options = SimOptions.defaults().withFaults(partitionsOnly)
        .withFaultPhaseMillis(6_000);
    List<String> failures = new ArrayList<>();
    for (long seed = 1; seed <= 40 && failures.isEmpty(); seed++) {
      SimResult result = Simulation.run(options, seed, localReads);
      if (!result.ok()) {
        failures.add(result.failure());
      }
    }
    assertThat(failures).singleElement().asString().startsWith("linearizability:");
  }
}
