package io.lockstep.sim;

import io.lockstep.order.Configuration;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Replaces voters from a pool of spares over a run ({@link MembershipPlan}), in the way a
 * configurator would (paper §7): a voter fails for good (or, in planned replacements, is retired
 * while alive, the leader included), a spare is added, the old voter is removed, and the next
 * failure comes after a gap. Every other fault goes on meanwhile: crashes, partitions, leader
 * isolation, disk faults.
 *
 * <p>It asks the replica it believes leads every {@link #DRIVE_MILLIS} (when racing: every
 * running replica, which refuse unless they lead, every {@link #RACING_DRIVE_MILLIS}, so that a
 * newly elected leader is asked within moments of its election) until the leader's committed
 * configuration shows the change; new failures start only in the fault phase, but changes still
 * pending are driven to their end after healing, and the run is not over until they are.
 */
final class MembershipNemesis {
  /** How often pending changes are asked for again. */
  static final long DRIVE_MILLIS = 20;
  /** How often pending changes are asked for again when racing. */
  static final long RACING_DRIVE_MILLIS = 5;

  private final MembershipPlan plan;
  private final SimOptions options;
  private final Cluster cluster;
  private final EventQueue queue;
  private final Trace trace;
  private final SplittableRandom random;
  private final Deque<Integer> spares = new ArrayDeque<>();
  /** Spares being added, then voters being removed: the pending steps, in order. */
  private final List<ChangeMembership> pending = new ArrayList<>();
  private boolean faultPhase = true;
  private long nextFailureAt;
  private int started;
  private int replaced;

  MembershipNemesis(SimOptions options, Cluster cluster, EventQueue queue, Trace trace,
      SplittableRandom random) {
    this.plan = options.membership();
    this.options = options;
    this.cluster = cluster;
    this.queue = queue;
    this.trace = trace;
    this.random = random;
    for (int i = options.replicas(); i < options.nodes(); i++) {
      spares.add(i);
    }
  }

  void start() {
    if (plan.active()) {
      nextFailureAt = queue.now() + gap();
      queue.after(interval(), this::drive);
    }
  }

  private long interval() {
    return (plan.racing() ? RACING_DRIVE_MILLIS : DRIVE_MILLIS) * 1_000_000;
  }

  /** The liveness phase: no new failures; pending changes are still driven to their end. */
  void stopFailures() {
    faultPhase = false;
  }

  /** True when no change is pending (the run may end). */
  boolean settled() {
    return pending.isEmpty();
  }

  /** Replacements completed: the old voter is out of a committed configuration. */
  int replaced() {
    return replaced;
  }

  private long gap() {
    return Network.exponential(random, plan.gapMillis() * 1_000_000);
  }

  private void drive() {
    int leader = cluster.leader();
    Configuration view = leader < 0 ? null : cluster.configuration(leader);
    if (view != null && view.committed()) {
      settle(view);
    }
    if (pending.isEmpty() && faultPhase && started < plan.replacements()
        && queue.now() >= nextFailureAt && view != null) {
      startReplacement(leader, view);
    }
    ask(leader);
    if (!pending.isEmpty() || faultPhase && started < plan.replacements()) {
      queue.after(interval(), this::drive);
    }
  }

  /**
   * Drops the steps the leader's committed configuration shows done (in order, unless racing)
   * and retires the voters it no longer names.
   */
  private void settle(Configuration view) {
    boolean hadPending = !pending.isEmpty();
    for (Iterator<ChangeMembership> it = pending.iterator(); it.hasNext(); ) {
      ChangeMembership step = it.next();
      boolean done = step.change() == Change.ADD ? view.voters().contains(step.replica())
          : !view.voters().contains(step.replica());
      if (done) {
        it.remove();
        if (step.change() == Change.REMOVE) {
          cluster.retire(step.replica());
          replaced++;
        }
      } else if (!plan.racing()) {
        break;
      }
    }
    if (hadPending && pending.isEmpty()) {
      nextFailureAt = queue.now() + gap();
      trace.record(queue.now(), "membership settled " + view.voters());
    }
  }

  /**
   * A voter fails for good while the crash budget allows it (else, or in a third of the cases,
   * a live voter is retired by plan, the leader as often as any); a spare replaces it.
   */
  private void startReplacement(int leader, Configuration view) {
    if (spares.isEmpty()) {
      return;
    }
    List<Integer> voters = view.voters();
    int victim = voters.get(random.nextInt(voters.size()));
    boolean fail = random.nextInt(3) > 0 && cluster.down() < options.t();
    if (fail) {
      cluster.failForGood(victim);
    }
    started++;
    trace.record(queue.now(), "replace " + victim + (fail ? " (failed)" : " (planned)")
        + (victim == leader ? " leader" : "") + " by " + spares.peek());
    if (plan.racing() && random.nextBoolean() && spares.size() > 1) {
      // An extra spare first: the configuration passes through an even size, where two racing
      // single-server changes could otherwise have disjoint majorities.
      pending.add(new ChangeMembership(Change.ADD, spares.poll()));
    }
    pending.add(new ChangeMembership(Change.ADD, spares.poll()));
    pending.add(new ChangeMembership(Change.REMOVE, victim));
  }

  /**
   * Asks for the pending steps: in order, of the leader; when racing, each running replica is
   * asked for one of them at random, so different replicas are asked for different changes.
   */
  private void ask(int leader) {
    if (pending.isEmpty()) {
      return;
    }
    if (!plan.racing()) {
      if (leader >= 0) {
        cluster.changeMembership(leader, pending.get(0));
      }
      return;
    }
    for (int replica : cluster.running()) {
      cluster.changeMembership(replica, pending.get(random.nextInt(pending.size())));
    }
  }
}
