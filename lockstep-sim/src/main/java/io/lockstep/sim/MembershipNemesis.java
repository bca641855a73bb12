package io.lockstep.sim;

import io.lockstep.order.Configuration;
import io.lockstep.order.Configurator;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Voters that fail for good over a run and spares that replace them (paper §7, S20–S21; a
 * {@link MembershipPlan}), while every other fault goes on: crashes, partitions, leader
 * isolation, disk faults.
 *
 * <p>Without racing, a voter fails for good after a gap and the {@link Configurator}, asked
 * about the leader's configuration every {@link #DRIVE_MILLIS}, replaces it when it has been
 * silent past the plan's bound, exactly as the runtime's configurator would. With racing, the
 * simulator asks for the add and the remove of each replacement at once, of every running
 * replica every {@link #RACING_DRIVE_MILLIS} (so a newly elected leader is asked within moments
 * of its election), retires live voters (the leader too) as often as failed ones, and sometimes
 * adds a second spare first. With {@link MembershipPlan.Mode#PROTOCOL} the simulator only fails
 * voters and follows the configuration; the protocol replaces them by itself (PBFT's
 * configurator orders each change).
 *
 * <p>A replica that a committed configuration no longer names is retired (stopped for good).
 * New failures start only in the fault phase; replacements still under way are driven to their
 * end after healing, and the run is not over until they are.
 */
final class MembershipNemesis {
  /** How often the configurator is asked (without racing). */
  static final long DRIVE_MILLIS = 20;
  /** How often pending changes are asked for again when racing. */
  static final long RACING_DRIVE_MILLIS = 5;

  private final MembershipPlan plan;
  private final SimOptions options;
  private final Cluster cluster;
  private final EventQueue queue;
  private final Trace trace;
  private final SplittableRandom random;
  private final Configurator configurator;
  /** Replicas some committed configuration named and that are not retired yet. */
  private final TreeSet<Integer> members = new TreeSet<>();
  /** Spares never added yet, in order. */
  private final List<Integer> spares = new ArrayList<>();
  /** Racing only: the changes still to see committed. */
  private final List<ChangeMembership> pending = new ArrayList<>();
  private boolean faultPhase = true;
  private long nextFailureAt;
  private int started;
  private int replaced;
  /** {@link MembershipPlan.Mode#PROTOCOL}: the index of the configuration followed last. */
  private long followedIndex;

  MembershipNemesis(SimOptions options, Cluster cluster, EventQueue queue, Trace trace,
      SplittableRandom random) {
    this.plan = options.membership();
    this.options = options;
    this.cluster = cluster;
    this.queue = queue;
    this.trace = trace;
    this.random = random;
    this.configurator = new Configurator(options.replicas(), plan.unreachableMillis());
    for (int i = 0; i < options.nodes(); i++) {
      if (i < options.replicas()) {
        members.add(i);
      } else {
        spares.add(i);
      }
    }
  }

  void start() {
    if (plan.active()) {
      nextFailureAt = queue.now() + gap();
      queue.after(interval(), this::drive);
    }
  }

  /** The liveness phase: no new failures; replacements under way are driven to their end. */
  void stopFailures() {
    faultPhase = false;
  }

  /** True when no failed voter is still a member and no change is pending. */
  boolean settled() {
    return pending.isEmpty() && members.stream().noneMatch(id -> cluster.node(id).gone);
  }

  /** Voters removed by a committed configuration over the run. */
  int replaced() {
    return replaced;
  }

  private long gap() {
    return Network.exponential(random, plan.gapMillis() * 1_000_000);
  }

  private long interval() {
    return (plan.racing() ? RACING_DRIVE_MILLIS : DRIVE_MILLIS) * 1_000_000;
  }

  private void drive() {
    int leader = cluster.leader();
    Configuration view = plan.mode() == MembershipPlan.Mode.PROTOCOL ? newest()
        : leader < 0 ? null : cluster.configuration(leader);
    if (view != null && view.committed()) {
      follow(view);
    }
    boolean due = faultPhase && started < plan.replacements() && queue.now() >= nextFailureAt;
    if (due && view != null && view.committed() && settled()) {
      fail(leader, view);
    }
    if (plan.racing()) {
      askEveryone();
    } else if (view != null && plan.mode() == MembershipPlan.Mode.CONFIGURATOR) {
      configurator.next(view, leader, spares).ifPresent(c -> cluster.changeMembership(leader, c));
    }
    if (!settled() || faultPhase && started < plan.replacements()) {
      queue.after(interval(), this::drive);
    }
  }

  /**
   * With {@link MembershipPlan.Mode#PROTOCOL}: the configuration of the running replica with
   * the newest stable checkpoint, or null when none is newer than the one followed last. PBFT
   * has no leader that knows the newest set: the replica in the highest view may be one that
   * lags a configuration behind, and following it would retire a live new member.
   */
  private Configuration newest() {
    Configuration newest = null;
    for (int id : cluster.running()) {
      Configuration c = cluster.configuration(id);
      if (c != null && c.index() >= followedIndex && (newest == null
          || c.index() > newest.index())) {
        newest = c;
      }
    }
    if (newest != null) {
      followedIndex = newest.index();
    }
    return newest;
  }

  /** A committed configuration: new voters are members, members it does not name retire. */
  private void follow(Configuration view) {
    boolean wasSettled = settled();
    for (int voter : view.voters()) {
      if (members.add(voter)) {
        spares.remove(Integer.valueOf(voter));
      }
    }
    for (int member : List.copyOf(members)) {
      if (!view.voters().contains(member)) {
        members.remove(member);
        cluster.retire(member);
        replaced++;
      }
    }
    pending.removeIf(c -> c.change() == Change.ADD ? members.contains(c.replica())
        : !members.contains(c.replica()));
    if (!wasSettled && settled()) {
      nextFailureAt = queue.now() + gap();
      trace.record(queue.now(), "membership settled " + view.voters());
    }
  }

  /**
   * A voter fails for good while the crash budget allows it. When racing, a third of the
   * replacements retire a live voter by plan instead (the leader as often as any), and half add
   * a second spare first.
   */
  private void fail(int leader, Configuration view) {
    List<Integer> voters = view.voters();
    int victim = voters.get(random.nextInt(voters.size()));
    boolean planned = plan.racing() && random.nextInt(3) == 0;
    if (!planned && cluster.down() >= options.t()) {
      return; // the budget is spent by ordinary crashes: try again later
    }
    started++;
    trace.record(queue.now(), "replace " + victim + (planned ? " (planned)" : " (failed)")
        + (victim == leader ? " leader" : ""));
    if (!planned) {
      cluster.failForGood(victim);
    }
    if (plan.racing()) {
      if (random.nextBoolean() && spares.size() > 1) {
        pending.add(new ChangeMembership(Change.ADD, spares.get(1)));
      }
      if (!spares.isEmpty()) {
        pending.add(new ChangeMembership(Change.ADD, spares.get(0)));
      }
      pending.add(new ChangeMembership(Change.REMOVE, victim));
    }
  }

  /** Racing: each running replica is asked for one pending change, chosen at random. */
  private void askEveryone() {
    if (pending.isEmpty()) {
      return;
    }
    for (int replica : cluster.running()) {
      cluster.changeMembership(replica, pending.get(random.nextInt(pending.size())));
    }
  }
}
