package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.examples.tally.Tally;
import io.lockstep.examples.tally.TallyCodec;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Commuting;
import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.redis.RedisStore;
import io.lockstep.request.Request;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server hands the state machine's commuting declaration (paper §3, S12) to the protocol
 * ({@link ProtocolWiring#setup}), and {@code replica-uid} built from that setup applies
 * declared-commuting requests without waiting for the order rule. The cores are the ones the
 * server creates, driven through the {@link Coordination} interface only, three replicas on a
 * network that delivers what is in flight in a random order per seed: only skipping the order
 * rule can make two replicas apply the same requests in different orders, so seeds where they
 * did are the evidence; the paper's {@code tally} with 2·MAJ above the electorate keeps the
 * replicas' states equal all the same.
 */
class CommutingWiringTest {
  private static final int SEEDS = 60;
  private static final Set<ClientId> VOTERS = Set.of(ClientId.of("v1"), ClientId.of("v2"),
      ClientId.of("v3"), ClientId.of("v4"), ClientId.of("v5"));

  @TempDir Path dir;

  private ClusterConfig config(String protocol) {
    return ClusterConfig.local("commuting", 3, 20_000, dir, Service.KV, TestCluster.SECRET)
        .withFailureModel(FailureModel.FAIL_STOP, 1, protocol);
  }

  @Test
  void theSetupTheServerBuildsCarriesWhatTheMachineDeclares() {
    Request a = Request.command(ClientId.of("v1"), 1, TallyCodec.vote("x"));
    Request b = Request.command(ClientId.of("v2"), 1, TallyCodec.vote("y"));
    ProtocolSetup commuting = ProtocolWiring.setup(config("replica-uid"), 1,
        new Tally(VOTERS, 3), Signer.none(1));
    assertThat(commuting.commuting().commute(a, b)).as("2·MAJ > electorate: votes commute")
        .isTrue();
    assertThat(ProtocolWiring.setup(config("replica-uid"), 1, new Tally(VOTERS, 2),
        Signer.none(1)).commuting().commute(a, b)).isFalse();
    assertThat(ProtocolWiring.setup(config("raft"), 1, new RedisStore(),
        Signer.none(1)).commuting()).as("the store declares nothing").isSameAs(Commuting.NOTHING);
  }

  @Test
  void digestsAreNotComparedOnlyWhereAProtocolAppliesDeclaredCommutingRequestsEarly() {
    Protocol uid = Protocols.named("replica-uid");
    Protocol raft = Protocols.named("raft");
    Tally tally = new Tally(VOTERS, 3);
    ProtocolSetup withVotes = ProtocolWiring.setup(config("replica-uid"), 1, tally,
        Signer.none(1));
    assertThat(ProtocolWiring.digestsIncomparable(uid, withVotes, tally))
        .hasValueSatisfying(why -> assertThat(why).contains("replica-uid", "Tally"));
    assertThat(ProtocolWiring.digestsIncomparable(raft, withVotes, tally))
        .as("raft orders everything").isEmpty();
    ProtocolSetup byzantine = new ProtocolSetup(1, List.of(1, 2, 3), FailureModel.BYZANTINE, 1,
        withVotes.settings(), Signer.none(1)).withCommuting(withVotes.commuting());
    assertThat(ProtocolWiring.digestsIncomparable(uid, byzantine, tally))
        .as("replica-uid's Byzantine order orders everything").isEmpty();
    RedisStore store = new RedisStore();
    assertThat(ProtocolWiring.digestsIncomparable(uid, ProtocolWiring.setup(
        config("replica-uid"), 1, store, Signer.none(1)), store)).isEmpty();
  }

  @Test
  void votesDeclaredCommutingAreAppliedWithoutWaitingForTheOrderAndStatesStillAgree() {
    Outcome o = runSeeds(() -> new Tally(VOTERS, 3));
    assertThat(o.reorderedSeeds()).as("seeds where replicas applied votes in other orders")
        .isPositive();
    assertThat(o.divergentSeeds()).as("seeds whose tallies disagree").isZero();
  }

  @Test
  void votesOfATallyThatDeclaresNothingWaitForTheOrderAtEveryReplica() {
    Outcome o = runSeeds(() -> new Tally(VOTERS, 2)); // 2·2 < 5: nothing declared
    assertThat(o.reorderedSeeds()).isZero();
    assertThat(o.divergentSeeds()).isZero();
  }

  /** What a set of runs showed. */
  private record Outcome(int reorderedSeeds, int divergentSeeds) {}

  private Outcome runSeeds(Supplier<StateMachine> machines) {
    int reordered = 0;
    int divergent = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Cluster cluster = new Cluster(config("replica-uid"), machines, new SplittableRandom(seed));
      cluster.run();
      reordered += cluster.applied.stream().distinct().count() > 1 ? 1 : 0;
      divergent += cluster.machines.stream().map(m -> Arrays.toString(m.snapshot())).distinct()
          .count() > 1 ? 1 : 0;
    }
    return new Outcome(reordered, divergent);
  }

  /** Three cores as the server creates them, with messages delivered in a random order. */
  private static final class Cluster {
    private record Flight(int from, int to, ProtocolMessage message) {}

    final List<StateMachine> machines = new ArrayList<>();
    final List<List<Request>> applied = new ArrayList<>();
    private final List<Executor> executors = new ArrayList<>();
    private final List<Coordination> cores = new ArrayList<>();
    private final List<Flight> inFlight = new ArrayList<>();
    private final SplittableRandom random;
    private long now;

    Cluster(ClusterConfig config, Supplier<StateMachine> build, SplittableRandom random) {
      this.random = random;
      Protocol protocol = Protocols.named(config.protocol());
      for (int id : config.members()) {
        StateMachine machine = build.get();
        machines.add(machine);
        executors.add(new Executor(machine, ExecutorConfig.defaults(id)));
        cores.add(protocol.create(ProtocolWiring.setup(config, id, machine,
            Signer.none(id)), Recovered.EMPTY, id));
        applied.add(new ArrayList<>());
      }
    }

    void run() {
      tick();
      List<ClientId> voters = new ArrayList<>(new TreeSet<>(VOTERS));
      for (int round = 0; round < 30; round++) {
        // Votes handed to different replicas in one round race each other.
        for (int k = random.nextInt(4); k > 0 && !voters.isEmpty(); k--) {
          ClientId voter = voters.remove(random.nextInt(voters.size()));
          byte[] vote = TallyCodec.vote(random.nextBoolean() ? "x" : "y");
          step(random.nextInt(3), new Input.Propose(Request.command(voter, 1, vote)));
        }
        while (!inFlight.isEmpty()) {
          Flight f = inFlight.remove(random.nextInt(inFlight.size()));
          step(f.to() - 1, new Input.Receive(f.from(), f.message()));
        }
        tick();
      }
      for (List<Request> votes : applied) {
        assertThat(votes).as("every replica applied every vote").hasSize(VOTERS.size());
      }
    }

    private void tick() {
      now += 10;
      for (int i = 0; i < cores.size(); i++) {
        step(i, new Input.Tick(now, 1_700_000_000_000L + now));
      }
    }

    private void step(int i, Input input) {
      Coordination core = cores.get(i);
      core.step(input);
      Ready ready = core.ready();
      ready.messages().forEach(m -> inFlight.add(new Flight(i + 1, m.to(), m.message())));
      for (Ordered o : ready.stable()) {
        applied.get(i).add(o.request());
        executors.get(i).apply(o);
      }
    }
  }
}
