package io.lockstep.order.pbft;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who suspects the current view's primary. A replica whose own evidence turns against the
 * primary (its request timer expired, the primary left a request unordered, ordered too slowly
 * or fell silent) first says so ({@link PbftMessage.Suspect}) and stays in the view; it signs
 * its view change only once t+1 replicas, itself among them, suspect the same view's primary
 * within two time-outs of each other.
 *
 * <p>Why not sign at once, as Castro and Liskov's replicas do: a view change is a promise never
 * to prepare in the old view again, so a replica whose timer expired alone (its own loop
 * stalled, or it lagged) left the protocol until a quorum changed view too, and the cluster ran
 * on without the slack it was built with: under load on a 2-core machine, and to a backup
 * stopped for longer than its time-out. One
 * suspicion round costs a real view change one message delay: when the primary fails, every
 * correct backup holding a request suspects it within a time-out of the others, and at least
 * t+1 of the 2t+1 non-faulty replicas do (a faulty primary that keeps ordering but leaves one
 * client's request out is caught by the slow-primary check, at every correct backup that holds
 * the request). A suspicion promises nothing, so safety rests on the view changes as before,
 * and t faulty replicas suspecting at will cannot move the view unless a correct replica's own
 * evidence agrees; t+1 view changes for later views still pull any replica along.
 */
final class Suspicions {
  private final Pbft p;
  /** When each replica's latest suspicion of {@link #view}'s primary arrived, self included. */
  private final Map<Integer, Long> heard = new HashMap<>();
  /** The view the suspicions are about; they lapse when it changes. */
  private long view = -1;
  /** When this replica last sent its suspicion, -1 if it has none in this view. */
  private long sentAt = -1;
  /** Why this replica suspects the primary, for the view change's reason. */
  private String reason = "";
  /** Whether this replica's suspicion ends when one of its requests executes ({@link #withdraw}). */
  private boolean clearedByProgress = true;

  Suspicions(Pbft p) {
    this.p = p;
  }

  /**
   * This replica's own evidence is against the primary: it says so (again once a time-out has
   * passed since it last did, so a suspicion that persists stays fresh at the others) and
   * changes view if t+1 replicas now suspect.
   */
  void raise(String why) {
    raise(why, true);
  }

  /**
   * The same for evidence that an executed request does not refute ({@code clearedByProgress}
   * false): a throughput below the bound over several periods, which a slow primary's trickle
   * of executed requests must not withdraw between two periods.
   */
  void raise(String why, boolean clearedByProgress) {
    if (!current()) {
      return;
    }
    reason = why;
    this.clearedByProgress = clearedByProgress;
    if (sentAt < 0 || p.now - sentAt >= p.timeout()) {
      sentAt = p.now;
      p.out.broadcast(new PbftMessage.Suspect(view));
    }
    heard.put(p.self(), p.now);
    decide();
  }

  /**
   * The evidence cleared (a request this replica held executed): it no longer suspects, unless
   * its suspicion rests on throughput ({@link #raise(String, boolean)}). The
   * others let its word lapse ({@link #fresh}); evidence that persists (a request the primary
   * still leaves out) raises it again at the next tick, and it is sent again only a time-out
   * after the last time.
   */
  void withdraw() {
    if (clearedByProgress) {
      heard.remove(p.self());
    }
  }

  void onSuspect(int from, PbftMessage.Suspect suspect) {
    if (!current() || suspect.view() != view) {
      p.drop("suspicion of another view's primary");
      return;
    }
    heard.put(from, p.now);
    decide();
  }

  /** Whether this replica suspects the current primary itself (for tests). */
  boolean suspects() {
    return current() && fresh(heard.get(p.self()));
  }

  /** Why this replica last suspected the primary ("" if it never did in this view). */
  String reason() {
    current();
    return reason;
  }

  /**
   * Resets the record when the view moved on; false while a view change is under way (a
   * suspicion is about a view this replica still takes part in) and at a replica that is not a
   * member.
   */
  private boolean current() {
    if (!p.membership.current().contains(p.self())) {
      return false; // a spare or a removed replica has no say in who is primary
    }
    if (view != p.view) {
      view = p.view;
      heard.clear();
      sentAt = -1;
      reason = "";
    }
    return !p.changingView;
  }

  private void decide() {
    if (!fresh(heard.get(p.self()))) {
      return; // only a replica's own evidence moves it; others' words alone never do
    }
    // A replica that asked for a later view suspected this one's primary before it did.
    Set<Integer> suspecting = p.viewChanges.askingBeyond(view);
    heard.forEach((replica, at) -> {
      if (fresh(at)) {
        suspecting.add(replica);
      }
    });
    int fresh = suspecting.size();
    if (fresh >= p.quorum().weak()) {
      p.viewChanges.start(view + 1, reason + " (" + fresh + " replicas suspect the primary)");
    }
  }

  /**
   * Within two time-outs: a replica that still suspects says so again every time-out, so
   * suspicions that persist overlap, and one that cleared lapses soon.
   */
  private boolean fresh(Long at) {
    return at != null && p.now - at < 2 * p.timeout();
  }
}
