package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.examples.kv.KvCodec;
import io.lockstep.examples.kv.KvStore;
import io.lockstep.examples.tally.Tally;
import io.lockstep.examples.tally.TallyCodec;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.StateMachine;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Paper §3 relaxation (S12): requests that commute need no Order. Replicas apply the same
 * requests with every declared-commuting run in an order of their own; a true declaration (the
 * paper's tally) keeps their digests and outputs equal, a wrong one makes them diverge and the
 * checker says so.
 */
class CommutingRunTest {
  private static final int SEEDS = 200;

  /** Declares every pair of commands commuting, whatever they do: a wrong declaration. */
  private record DeclaresEverythingCommuting(StateMachine inner) implements StateMachine {
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

  @Test
  void tallyVotesCommuteWhenTwiceMajExceedsTheClientsSoAnyOrderGivesEqualDigests() {
    Set<ClientId> electorate = electorate(7);
    List<Request> votes = votes(7, "yes", "no", "yes", "yes", "no", "yes", "abstain");
    // A second vote and an outsider's vote: refused in every order, and still no divergence.
    votes.add(Request.command(ClientId.of("c0"), 2, TallyCodec.vote("no")));
    votes.add(Request.command(ClientId.of("outsider"), 1, TallyCodec.vote("no")));
    CommutingRun run = new CommutingRun(() -> new Tally(electorate, 4), 3);
    Set<List<Request>> ordersSeen = new HashSet<>();
    for (long seed = 0; seed < SEEDS; seed++) {
      List<CommutingRun.Applied> applied = run.run(votes, seed);
      assertThat(CommutingRun.divergences(applied)).as("seed %d", seed).isEmpty();
      applied.forEach(a -> ordersSeen.add(a.order()));
    }
    // Not vacuous: the replicas really applied the votes in many different orders.
    assertThat(ordersSeen.size()).isGreaterThan(SEEDS);
  }

  @Test
  void wronglyDeclaredTallyWithTwiceMajAtMostTheClientsDiverges() {
    // 4 clients, MAJ 2: "yes" and "no" can both reach MAJ; who got there first depends on order.
    Set<ClientId> electorate = electorate(4);
    List<Request> votes = votes(4, "yes", "yes", "no", "no");
    assertThat(new Tally(electorate, 2).commutes(TallyCodec.vote("yes"), TallyCodec.vote("no")))
        .as("the tally itself does not declare these votes commuting").isFalse();
    assertThat(divergingSeeds(() -> new DeclaresEverythingCommuting(new Tally(electorate, 2)),
        votes)).isGreaterThan(0);
    assertThat(divergingSeeds(() -> new Tally(electorate, 2), votes))
        .as("undeclared, the votes stay ordered and the replicas agree").isZero();
  }

  @Test
  void wronglyDeclaredPutsToOneKeyDivergeAndTheCheckerSaysWhere() {
    List<Request> puts = List.of(
        Request.command(ClientId.of("a"), 1, KvCodec.put("k", "from-a")),
        Request.command(ClientId.of("b"), 1, KvCodec.put("k", "from-b")),
        Request.command(ClientId.of("a"), 2, KvCodec.get("k")));
    Supplier<StateMachine> wrong = () -> new DeclaresEverythingCommuting(new KvStore());
    List<String> found = new ArrayList<>();
    for (long seed = 0; seed < SEEDS && found.isEmpty(); seed++) {
      found = CommutingRun.divergences(new CommutingRun(wrong, 3).run(puts, seed));
    }
    assertThat(found).anyMatch(d -> d.contains("digest"));
  }

  @Test
  void requestsNotDeclaredCommutingKeepTheAgreedOrderOnEveryReplica() {
    List<Request> puts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      puts.add(Request.command(ClientId.of("c" + i), 1, KvCodec.put("k", "v" + i)));
    }
    for (CommutingRun.Applied applied : new CommutingRun(KvStore::new, 3).run(puts, 42)) {
      assertThat(applied.order()).isEqualTo(puts);
    }
  }

  @Test
  void oneClientsVotesKeepTheirFifoOrderInsideACommutingRun() {
    ClientId c = ClientId.of("c0");
    List<Request> requests = List.of(
        Request.command(c, 1, TallyCodec.vote("yes")),
        Request.command(ClientId.of("c1"), 1, TallyCodec.vote("no")),
        Request.command(c, 2, TallyCodec.vote("no")));
    CommutingRun run = new CommutingRun(() -> new Tally(electorate(3), 2), 2);
    for (long seed = 0; seed < SEEDS; seed++) {
      for (CommutingRun.Applied applied : run.run(requests, seed)) {
        List<Request> own = applied.order().stream().filter(r -> r.client().equals(c)).toList();
        assertThat(own).extracting(Request::sequence).containsExactly(1L, 2L);
      }
    }
    assertThatThrownBy(() -> new CommutingRun(KvStore::new, 1))
        .hasMessageContaining("2 or more replicas");
  }

  private static int divergingSeeds(Supplier<StateMachine> machines, List<Request> requests) {
    int diverging = 0;
    for (long seed = 0; seed < SEEDS; seed++) {
      if (!CommutingRun.divergences(new CommutingRun(machines, 3).run(requests, seed)).isEmpty()) {
        diverging++;
      }
    }
    return diverging;
  }

  private static Set<ClientId> electorate(int clients) {
    Set<ClientId> electorate = new TreeSet<>();
    for (int i = 0; i < clients; i++) {
      electorate.add(ClientId.of("c" + i));
    }
    return electorate;
  }

  /** Client ci votes choices[i], once. */
  private static List<Request> votes(int clients, String... choices) {
    List<Request> votes = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      votes.add(Request.command(ClientId.of("c" + i), 1, TallyCodec.vote(choices[i])));
    }
    return votes;
  }
}
