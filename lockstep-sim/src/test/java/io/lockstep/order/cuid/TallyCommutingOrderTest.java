package io.lockstep.order.cuid;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.examples.tally.Tally;
import io.lockstep.examples.tally.TallyCodec;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Commuting;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.stamped.StampedConfig;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.sim.CommutingRun;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The paper's {@code tally} (§3, S12) on the replica-uid protocol with commuting requests
 * skipping Order: three replicas, each a {@link CandidateOrder} given the machine's declaration
 * and an {@link Executor} running its own tally; five clients each vote once through a random
 * replica, messages are delivered in a random order per seed. With 2·MAJ above the electorate
 * the declaration is true: replicas apply votes in different orders and still agree on the
 * state (the winner) and on every output. A tally with 2·MAJ at most the electorate that
 * nevertheless declares votes commuting makes replicas name different winners.
 */
class TallyCommutingOrderTest {
  private static final int SEEDS = 150;
  private static final Set<ClientId> VOTERS = Set.of(ClientId.of("v1"), ClientId.of("v2"),
      ClientId.of("v3"), ClientId.of("v4"), ClientId.of("v5"));

  /** A tally that declares votes commuting although, with its MAJ, they do not. */
  private record LyingTally(Tally inner) implements StateMachine {
    @Override
    public boolean commutes(byte[] command, byte[] other) {
      return true;
    }

    @Override
    public byte[] apply(byte[] command, Context context) {
      return inner.apply(command, context);
    }

    @Override
    public byte[] query(byte[] query, ClientId caller) {
      return inner.query(query, caller);
    }

    @Override
    public byte[] snapshot() {
      return inner.snapshot();
    }

    @Override
    public void restore(byte[] snapshot) {
      inner.restore(snapshot);
    }
  }

  /** What a set of runs showed. */
  private record Outcome(int divergentSeeds, int seedsWithDifferentOrders, long appliedEarly) {}

  @Test
  void trueDeclarationVotesSkipOrderAndReplicasStillAgree() {
    Outcome o = runSeeds(() -> new Tally(VOTERS, 3));
    assertThat(o.divergentSeeds()).as("seeds whose replicas disagree").isZero();
    assertThat(o.appliedEarly()).as("votes applied before the order rule reached them")
        .isPositive();
    assertThat(o.seedsWithDifferentOrders()).as("seeds where replicas applied other orders")
        .isPositive();
  }

  @Test
  void wrongDeclarationMakesReplicasDivergeWhileTheTallysOwnKeepsThemOrdered() {
    Outcome lying = runSeeds(() -> new LyingTally(new Tally(VOTERS, 2)));
    assertThat(lying.divergentSeeds()).as("seeds whose replicas name different winners")
        .isPositive();
    Outcome honest = runSeeds(() -> new Tally(VOTERS, 2)); // declares nothing: 2·2 < 5
    assertThat(honest.divergentSeeds()).isZero();
    assertThat(honest.appliedEarly()).isZero();
    assertThat(honest.seedsWithDifferentOrders()).isZero();
  }

  private static Outcome runSeeds(Supplier<StateMachine> machines) {
    int divergent = 0;
    int reordered = 0;
    long early = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Cluster cluster = new Cluster(machines, new SplittableRandom(seed));
      List<CommutingRun.Applied> applied = cluster.run();
      divergent += CommutingRun.divergences(applied).isEmpty() ? 0 : 1;
      reordered += applied.stream().map(CommutingRun.Applied::order).distinct().count() > 1
          ? 1 : 0;
      early += cluster.appliedEarly();
    }
    return new Outcome(divergent, reordered, early);
  }

  /** Three replicas on a network that delivers whatever is in flight in a random order. */
  private static final class Cluster {
    private record Flight(int from, int to, ProtocolMessage message) {}

    private final List<Integer> members = List.of(0, 1, 2);
    private final List<CandidateOrder> orders = new ArrayList<>();
    private final List<StateMachine> machines = new ArrayList<>();
    private final List<Executor> executors = new ArrayList<>();
    private final List<List<Request>> appliedOrder = new ArrayList<>();
    private final List<Map<String, Reply>> outputs = new ArrayList<>();
    private final List<Flight> inFlight = new ArrayList<>();
    private final SplittableRandom random;
    private long now;

    Cluster(Supplier<StateMachine> build, SplittableRandom random) {
      this.random = random;
      for (int id : members) {
        StateMachine machine = build.get();
        machines.add(machine);
        executors.add(new Executor(machine, ExecutorConfig.defaults(id)));
        orders.add(new CandidateOrder(StampedConfig.defaults(id, members), Recovered.EMPTY, true,
            UidChoice.EVERY_REPLICA, Commuting.declaredBy(machine)));
        appliedOrder.add(new ArrayList<>());
        outputs.add(new LinkedHashMap<>());
      }
    }

    List<CommutingRun.Applied> run() {
      tick();
      List<ClientId> voters = new ArrayList<>(new TreeSet<>(VOTERS));
      for (int round = 0; round < 30; round++) {
        // Votes handed to different replicas in one round race each other.
        for (int k = random.nextInt(4); k > 0 && !voters.isEmpty(); k--) {
          ClientId voter = voters.remove(random.nextInt(voters.size()));
          byte[] vote = TallyCodec.vote(random.nextBoolean() ? "x" : "y");
          step(random.nextInt(3), new Input.Propose(Request.command(voter, 1, vote)));
        }
        while (!inFlight.isEmpty()) { // everything arrives within the round, in any order
          Flight f = inFlight.remove(random.nextInt(inFlight.size()));
          step(f.to(), new Input.Receive(f.from(), f.message()));
        }
        tick();
      }
      List<CommutingRun.Applied> applied = new ArrayList<>();
      for (int id : members) {
        assertThat(appliedOrder.get(id)).as("replica %d applied every vote", id).hasSize(5);
        applied.add(new CommutingRun.Applied(List.copyOf(appliedOrder.get(id)), outputs.get(id),
            digest(machines.get(id))));
      }
      return applied;
    }

    long appliedEarly() {
      return orders.stream().mapToLong(CandidateOrder::appliedEarly).sum();
    }

    private void tick() {
      now += 10;
      for (int id : members) {
        step(id, new Input.Tick(now, 1_700_000_000_000L + now));
      }
    }

    private void step(int id, Input input) {
      CandidateOrder order = orders.get(id);
      order.step(input);
      Ready ready = order.ready();
      ready.messages().forEach(m -> inFlight.add(new Flight(id, m.to(), m.message())));
      for (Ordered o : ready.stable()) {
        appliedOrder.get(id).add(o.request());
        for (Reply reply : executors.get(id).apply(o)) {
          outputs.get(id).put(reply.client() + "#" + reply.sequence(), reply);
        }
      }
    }

    private static String digest(StateMachine machine) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
            .digest(machine.snapshot()));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
