package io.lockstep.server;

import io.lockstep.order.Configuration;
import io.lockstep.order.Configurator;
import io.lockstep.order.Input.ChangeMembership;
import io.lockstep.order.Input.ChangeMembership.Change;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.replica.Effects;
import io.lockstep.replica.Replica;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Membership changes in the running server (paper §7: the configuration is replicated state,
 * changed by ordered commands): operators' {@code lockstep member} commands, and the
 * configurator that replaces a failed voter with a spare. Both only <em>ask</em> the protocol
 * ({@link Replica#changeMembership}); the protocol's rules (one change at a time, a new leader
 * commits in its own term first, learners catch up before they vote, a removed leader hands
 * over) decide what happens. Loop thread only: the loop calls {@link #afterBatch} after every
 * batch, and the steps taken here go into that batch's effects.
 *
 * <p>The configurator runs only on the leader, at most every {@link #checkEveryMillis} on the
 * monotonic clock, and here only <em>replaces</em>: it adds a spare and then removes the failed
 * voter. A failed voter with no spare to take its place is left in the configuration (the
 * combining condition is unchanged by removing it alone, and a replica down for maintenance
 * must not lose its vote for good). A spare that is added but stays silent would block every
 * later change (the configurator keeps asking for its learner), so a learner silent past the
 * bound is dropped and that spare skipped for two bounds.
 */
final class MembershipRuntime {
  private static final System.Logger LOG = System.getLogger(MembershipRuntime.class.getName());
  /** How long an operator's command may take before it is answered "still in progress". */
  static final long ANSWER_WITHIN_NANOS = 60_000_000_000L;

  /**
   * An operator's command, from the client port.
   *
   * @param signed the command as the operator signed it, which a follower forwards to the
   *     leader; null when it must not be forwarded (it was forwarded already: the follower
   *     redirects instead, so two replicas with stale views cannot pass it back and forth)
   */
  record Ask(MemberOperation operation, int replica, int other, MemberOrigin origin,
      io.lockstep.server.wire.ClientMessage.Member signed) {
    /** A command that is not forwarded. */
    Ask(MemberOperation operation, int replica, int other, MemberOrigin origin) {
      this(operation, replica, other, origin, null);
    }
  }

  /** The operator's command being carried out: its steps, one at a time. */
  private static final class Pending {
    final Ask ask;
    final List<ChangeMembership> steps;
    final long deadlineNanos;
    ChangeMembership current;

    Pending(Ask ask, List<ChangeMembership> steps, long deadlineNanos) {
      this.ask = ask;
      this.steps = new ArrayList<>(steps);
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final int self;
  private final AddressBook addresses;
  private final List<Integer> spares;
  private final Configurator configurator;
  private final long checkEveryMillis;
  private final ServerMetrics metrics;
  private final List<Ask> incoming = new ArrayList<>();
  private final Map<Integer, Long> skipSpareUntil = new HashMap<>();
  private Pending pending;
  private long nextCheckMillis;
  private MemberForwarder forwarder;
  /** The protocol changes its replica set only by ordered commands (PBFT): no steps here. */
  private boolean ordered;

  /**
   * @param addresses where replicas are: those it lists may be added; it follows the recorded
   *     addresses after every batch
   * @param spares the file's spares, in the order the configurator prefers them
   * @param targetVoters the configuration size the configurator keeps
   * @param unreachableMillis the configurator's bound; 0 turns it off
   */
  MembershipRuntime(int self, AddressBook addresses, List<Integer> spares, int targetVoters,
      long unreachableMillis, ServerMetrics metrics) {
    this.self = self;
    this.addresses = addresses;
    this.spares = List.copyOf(spares);
    this.configurator = unreachableMillis == 0 ? null
        : new Configurator(targetVoters, unreachableMillis);
    this.checkEveryMillis = Math.max(1, Math.min(1_000, unreachableMillis / 4));
    this.metrics = metrics;
  }

  /**
   * The protocol's replica set is replicated state, changed only by ordered {@code SetReplicas}
   * commands (paper §7), which {@code lockstep member} signs and sends to a Byzantine cluster
   * itself: the operator's signature then covers the exact set, so no single replica can turn
   * "replace 3 by 4" into another change. This runtime then only lists, and its configurator,
   * whose single-server steps the protocol does not take, is off: such a protocol runs its own
   * ({@link io.lockstep.order.Coordination#replaceSilentVoters}).
   */
  void orderedReplicaSet() {
    ordered = true;
  }

  /** Forwards commands a follower receives to the leader (without one, they are redirected). */
  void forwarder(MemberForwarder memberForwarder) {
    this.forwarder = memberForwarder;
  }

  /** An operator's command: carried out at the end of the current batch. */
  void ask(Ask ask) {
    incoming.add(ask);
  }

  /**
   * After a batch: advances the operator's command in progress, starts new ones and runs the
   * configurator when due; every protocol step's effects go to {@code collect}.
   */
  void afterBatch(Replica replica, long nowNanos, Consumer<Effects> collect) {
    addresses.follow(replica.executor().configuration());
    Configuration view = replica.configuration();
    Status status = replica.status();
    if (pending != null) {
      advance(replica, view, status, nowNanos, collect);
    }
    while (!incoming.isEmpty()) {
      start(incoming.remove(0), replica, view, status, nowNanos, collect);
    }
    long nowMillis = nowNanos / 1_000_000;
    if (configurator != null && !ordered && pending == null && view != null
        && status.role() == Role.LEADER && nowMillis >= nextCheckMillis) {
      nextCheckMillis = nowMillis + checkEveryMillis;
      configure(replica, view, nowMillis, collect);
    }
  }

  private void start(Ask ask, Replica replica, Configuration view, Status status, long nowNanos,
      Consumer<Effects> collect) {
    if (view == null) {
      ask.origin().answered(false, "this cluster's protocol has a fixed membership");
    } else if (ordered && ask.operation() != MemberOperation.LIST) {
      ask.origin().answered(false, "this cluster changes its replica set only by an ordered"
          + " SetReplicas command signed by the operator; `lockstep member` sends one for a"
          + " Byzantine cluster (nothing was changed)");
    } else if (status.role() != Role.LEADER && status.leader() >= 0) {
      if (forwarder != null && ask.signed() != null) {
        forwarder.forward(status.leader(), ask.signed(), ask.origin());
      } else {
        ask.origin().redirect(status.leader(), addresses.clientText(status.leader()),
            "replica " + self + " is not the leader");
      }
    } else if (ask.operation() == MemberOperation.LIST) {
      ask.origin().answered(true, MemberChecks.describe(view, addresses.listed(), status));
    } else if (status.role() != Role.LEADER) {
      ask.origin().answered(false, "no leader is known now (an election is under way);"
          + " nothing was changed: try again");
    } else if (pending != null) {
      ask.origin().answered(false, "another membership command is in progress ("
          + pending.ask.operation() + "); nothing was changed: try again when it is answered");
    } else {
      Optional<String> refusal = MemberChecks.refusal(ask, view, addresses.listed(), self);
      if (refusal.isPresent()) {
        ask.origin().answered(false, refusal.get() + "; nothing was changed. "
            + MemberChecks.describe(view, addresses.listed(), status));
        return;
      }
      List<ChangeMembership> steps = MemberChecks.steps(ask, view);
      if (steps.isEmpty()) {
        ask.origin().answered(true, "nothing left to do: the configuration is already where "
            + ask.operation() + " ends. " + MemberChecks.describe(view, addresses.listed(),
            status));
        return;
      }
      pending = new Pending(ask, steps, nowNanos + ANSWER_WITHIN_NANOS);
      stepNext(replica, status, collect);
    }
  }

  /** Steps the pending command's next change; a refusal by the protocol ends the command. */
  private void stepNext(Replica replica, Status status, Consumer<Effects> collect) {
    ChangeMembership change = pending.steps.remove(0);
    collect.accept(replica.changeMembership(change.change(), change.replica()));
    Configuration after = replica.configuration();
    LOG.log(Level.INFO, "event=member_change replica=" + self + " change=" + change.change()
        + " target=" + change.replica() + " voters=" + after.voters()
        + (after.lastRefusal().isEmpty() ? "" : " refused=\"" + after.lastRefusal() + "\""));
    if (!after.lastRefusal().isEmpty()) {
      // After the checks above the protocol refuses only for a while (its own term's entry not
      // committed yet, a transfer under way): nothing of this step was changed.
      finish(false, "the protocol refused " + change.change() + " " + change.replica() + ": "
          + after.lastRefusal() + ". " + MemberChecks.describe(after, addresses.listed(), status)
          + (pending.current == null ? "; nothing was changed: " + MemberChecks.TRY_AGAIN
              : carriedOn()));
      return;
    }
    pending.current = change;
  }

  private void advance(Replica replica, Configuration view, Status status, long nowNanos,
      Consumer<Effects> collect) {
    if (MemberChecks.done(pending.current, view)) {
      if (pending.steps.isEmpty()) {
        finish(true, MemberChecks.describe(view, addresses.listed(), status));
        return;
      }
      Optional<String> refusal = MemberChecks.removalRefusal(pending.steps.get(0).replica(),
          view, self);
      if (refusal.isPresent() || status.role() != Role.LEADER) {
        finish(false, "added replica " + pending.current.replica() + ", but did not go on: "
            + refusal.orElse("this replica no longer leads") + ". "
            + MemberChecks.describe(view, addresses.listed(), status) + carriedOn());
        return;
      }
      stepNext(replica, status, collect);
    } else if (status.role() != Role.LEADER) {
      finish(false, "leadership moved (to " + status.leader() + ") before "
          + pending.current.change() + " " + pending.current.replica() + " finished; it may"
          + " still complete: check with `lockstep member list`" + carriedOn());
    } else if (nowNanos - pending.deadlineNanos > 0) {
      finish(false, pending.current.change() + " " + pending.current.replica() + " has not"
          + " finished within " + ANSWER_WITHIN_NANOS / 1_000_000_000L + " s (a learner still"
          + " catching up?); it goes on: check with `lockstep member list`. "
          + MemberChecks.describe(view, addresses.listed(), status));
    }
  }

  /**
   * For a command cut short: the same command asked again carries on from the configuration
   * then in force ({@link MemberChecks#steps}), so the operator's client may send it again.
   */
  private static String carriedOn() {
    return "; asking again carries it on: " + MemberChecks.TRY_AGAIN;
  }

  private void finish(boolean ok, String text) {
    LOG.log(ok ? Level.INFO : Level.WARNING, "event=member_answered replica=" + self
        + " operation=" + pending.ask.operation() + " ok=" + ok + " text=\"" + text + "\"");
    pending.ask.origin().answered(ok, text);
    pending = null;
  }

  /** One configurator check on the leader: at most one step. */
  private void configure(Replica replica, Configuration view, long nowMillis,
      Consumer<Effects> collect) {
    for (int learner : view.learners()) {
      if (view.silentMillis().getOrDefault(learner, 0L) > configurator.unreachableMillis()) {
        skipSpareUntil.put(learner, nowMillis + 2 * configurator.unreachableMillis());
        step(replica, new ChangeMembership(Change.REMOVE, learner), view, "learner_silent",
            collect);
        return;
      }
    }
    List<Integer> available = spares.stream()
        .filter(s -> skipSpareUntil.getOrDefault(s, Long.MIN_VALUE) <= nowMillis).toList();
    Optional<ChangeMembership> next = configurator.next(view, self, available);
    if (next.isEmpty() || view.learners().contains(next.get().replica())) {
      return; // nothing to do, or a learner already being caught up (asking again is a no-op)
    }
    if (next.get().change() == Change.REMOVE
        && view.voters().size() <= configurator.targetVoters()) {
      return; // no spare took its place: a failed voter is only removed when replaced
    }
    step(replica, next.get(), view, "voter_unreachable", collect);
  }

  private void step(Replica replica, ChangeMembership change, Configuration before,
      String reason, Consumer<Effects> collect) {
    collect.accept(replica.changeMembership(change.change(), change.replica()));
    metrics.configuratorStep();
    Configuration after = replica.configuration();
    LOG.log(Level.WARNING, "event=configurator_step replica=" + self + " change="
        + change.change() + " target=" + change.replica() + " reason=" + reason
        + " voters=" + before.voters() + " failed=" + configurator.failed(before, self)
        + (after.lastRefusal().isEmpty() ? "" : " refused=\"" + after.lastRefusal() + "\""));
  }
}
