package io.lockstep.sim;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A targeted nemesis for the single-server change race (Ongaro, raft-dev, 2015), in the way
 * Jepsen pairs a membership nemesis with partitions: rounds of
 *
 * <ol>
 *   <li>with an even-sized committed configuration, ask the leader to add a spare;
 *   <li>the moment the leader's log holds that change, cut the leader and the spare off;
 *   <li>the moment another replica leads, ask it to remove a voter q, and cut it off with one
 *       other voter p, so that {leader, p} and {old leader, spare, q} are the two sides;
 *   <li>after a while heal, and start again once the configuration has settled.
 * </ol>
 *
 * <p>A correct protocol refuses the removal in step 3 (its leader has not committed an entry of
 * its own term yet) and stays safe; a protocol without that rule commits on both sides with
 * disjoint majorities, and the checkers see committed entries change. Which replicas play which
 * part and every delay come from the seed.
 */
final class ChangeRaceNemesis {
  private static final long DRIVE_NANOS = 1_000_000;
  private static final long SPLIT_NANOS = 1_500_000_000L;

  private enum Phase { IDLE, ADDING, CUT, HEALING }

  private final Cluster cluster;
  private final Network network;
  private final EventQueue queue;
  private final Trace trace;
  private final SplittableRandom random;
  private final List<Integer> spares = new ArrayList<>();
  private Phase phase = Phase.IDLE;
  private int oldLeader = -1;
  private long oldTerm;
  private int spare = -1;
  private long phaseEndsAt;
  private boolean active = true;
  private int rounds;

  ChangeRaceNemesis(SimOptions options, Cluster cluster, Network network, EventQueue queue,
      Trace trace, SplittableRandom random) {
    this.cluster = cluster;
    this.network = network;
    this.queue = queue;
    this.trace = trace;
    this.random = random;
    for (int i = options.replicas(); i < options.nodes(); i++) {
      spares.add(i);
    }
  }

  void start() {
    queue.after(DRIVE_NANOS, this::drive);
  }

  /** The liveness phase: no new round; a round under way is healed at once. */
  void stop() {
    active = false;
  }

  /** Rounds that reached step 3 (a second leader was asked for a removal). */
  int rounds() {
    return rounds;
  }

  private void drive() {
    if (!active) {
      return;
    }
    int leader = cluster.leader();
    Configuration view = leader < 0 ? null : cluster.configuration(leader);
    switch (phase) {
      case IDLE -> maybeAdd(leader, view);
      case ADDING -> maybeCut(leader, view);
      case CUT -> maybeRemove(leader);
      case HEALING -> maybeHeal();
    }
    queue.after(DRIVE_NANOS, this::drive);
  }

  /**
   * Step 1, once the committed configuration has an even size (else it is first brought to
   * four voters: a spare added, or a voter other than the leader removed).
   */
  private void maybeAdd(int leader, Configuration view) {
    if (view == null || !view.committed() || spares.isEmpty() || random.nextInt(50) != 0) {
      return;
    }
    List<Integer> voters = view.voters();
    if (voters.size() % 2 != 0) {
      List<Integer> others = new ArrayList<>(voters);
      others.remove(Integer.valueOf(leader));
      cluster.changeMembership(leader, voters.size() < 4 || others.isEmpty()
          ? new ChangeMembership(Change.ADD, spares.get(0))
          : new ChangeMembership(Change.REMOVE, others.get(random.nextInt(others.size()))));
      if (voters.size() < 4) {
        spares.remove(0);
      }
      return;
    }
    oldLeader = leader;
    oldTerm = cluster.node(leader).replica.status().term();
    spare = spares.remove(0);
    trace.record(queue.now(), "race add " + spare + " at " + leader);
    cluster.changeMembership(leader, new ChangeMembership(Change.ADD, spare));
    phase = Phase.ADDING;
    phaseEndsAt = queue.now() + SPLIT_NANOS;
  }

  private void maybeCut(int leader, Configuration view) {
    if (leader == oldLeader && view != null && view.voters().contains(spare)) {
      network.partition(new Partition.Split(Set.of(oldLeader, spare)));
      phase = Phase.CUT;
      phaseEndsAt = queue.now() + SPLIT_NANOS;
    } else if (leader != oldLeader || queue.now() > phaseEndsAt) {
      phase = Phase.IDLE; // the leader changed or never appended the change: try again later
    } else {
      cluster.changeMembership(leader, new ChangeMembership(Change.ADD, spare));
    }
  }

  private void maybeRemove(int leader) {
    boolean newLeader = leader >= 0 && leader != oldLeader && leader != spare
        && cluster.node(leader).up && cluster.node(leader).replica.status().term() > oldTerm;
    if (!newLeader) {
      if (queue.now() > phaseEndsAt) {
        heal();
      }
      return;
    }
    List<Integer> others = new ArrayList<>(cluster.configuration(leader).voters());
    others.removeAll(List.of(leader, oldLeader, spare));
    if (others.size() < 2) {
      heal();
      return;
    }
    int q = others.remove(random.nextInt(others.size()));
    int p = others.get(random.nextInt(others.size()));
    rounds++;
    trace.record(queue.now(), "race remove " + q + " at " + leader + ", split with " + p);
    cluster.changeMembership(leader, new ChangeMembership(Change.REMOVE, q));
    network.partition(new Partition.Split(Set.of(leader, p)));
    phase = Phase.HEALING;
    phaseEndsAt = queue.now() + SPLIT_NANOS;
  }

  private void maybeHeal() {
    if (queue.now() > phaseEndsAt) {
      heal();
    }
  }

  private void heal() {
    network.partition(new Partition.None());
    phase = Phase.IDLE;
  }
}
