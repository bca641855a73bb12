package io.lockstep.order.pbft;

import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * View changes (PBFT §4.4): a replica whose request timer expires (or that suspects a slow
 * primary, or sees t+1 others move on) signs a view change carrying its stable checkpoint proof
 * and its P and Q sets and stops taking part in the old view; the new view's primary decides
 * from 2t+1 or more of them ({@link NewViewDecision}) and sends a signed new view with the
 * view changes and the pre-prepares it implies; every backup checks the signatures and
 * recomputes the decision before it enters the view. If no new view comes within the time-out,
 * the replica moves on to the next view with the time-out doubled (exponential back-off).
 */
final class ViewChanges {
  private final Pbft p;
  /** View changes received, by view then sender (first one per sender and view kept). */
  private final TreeMap<Long, Map<Integer, PbftMessage.ViewChange>> received = new TreeMap<>();
  /** This replica's own view change for the view it is changing to. */
  PbftMessage.ViewChange own;
  /** The new view message that started the current view (none for view 0). */
  PbftMessage.NewView current;
  /** Deadline for the new view to arrive; -1 when not changing view. */
  long deadline = -1;
  /** Why the last view change started, for tests and logs. */
  String lastReason = "";

  ViewChanges(Pbft p) {
    this.p = p;
  }

  /** Starts the change to {@code newView}: signs and broadcasts this replica's view change. */
  void start(long newView, String reason) {
    if (newView <= p.view && (p.changingView || newView < p.view)) {
      return;
    }
    if (!p.membership.current().contains(p.self())) {
      return; // a spare or a removed replica has no say in who is primary
    }
    if (!p.repair.mayVoteForView(newView)) {
      return; // it may have sent a different view change for it before its damage (Repair)
    }
    lastReason = reason;
    p.journalViewChange(newView, reason);
    p.view = newView;
    p.changingView = true;
    p.backoff = Math.min(p.backoff + 1, p.config.maxBackoffExponent());
    deadline = -1;
    p.normal.requestDeadline = -1;
    own = sign(newView);
    store(own);
    p.out.broadcast(own);
    received.headMap(newView, false).clear();
    armDeadline();
    tryNewView();
  }

  /**
   * Starts the time-out for the new view once a quorum of replicas has left the view before it
   * (Castro and Liskov, OSDI 1999 §4.5.2, the first liveness rule), not when this replica sends
   * its own view change. A replica that moved alone (its request timer expired where the
   * others' did not, or it lagged) otherwise went on to ever later views by itself, its
   * back-off doubling each time, and the others, arriving one view after another, found it
   * always a view or more ahead: the simulator's seeds 1044 (repair) and 33 (configurator)
   * missed the liveness bound that way. Waiting costs nothing: without a quorum no new view
   * can form anyway, and t+1 view changes for later views still pull a replica along.
   *
   * <p>The quorum counts the replicas asking for this view <em>or a later one</em>: one that
   * already went on has left the previous view as surely. Counting only this view's view
   * changes deadlocked for ever with a silent faulty replica: two correct replicas changing to
   * v, the third already asking for v+1 (its time-out for v ran out while one of the two was
   * down and had forgotten the view changes it held), so v never had a quorum, v+1 never had
   * t+1 askers to pull the two along, and no time-out was running anywhere (the 1,000-seed
   * simulator runs 260, 380 and 990).
   */
  void armDeadline() {
    if (p.changingView && deadline < 0 && p.now >= 0
        && askingFrom(p.view).size() >= p.quorum().quorum()) {
      deadline = p.now + p.timeout();
    }
  }

  /**
   * A recovered replica that was changing to {@link Pbft#view} signs its view change again from
   * the facts it logged (the same ones it signed before its crash) and sends it; its time-out
   * starts at its first tick.
   */
  void resume() {
    deadline = -1;
    own = sign(p.view);
    store(own);
    if (p.repair.mayVoteForView(p.view)) {
      p.out.broadcast(own);
    }
  }

  private PbftMessage.ViewChange sign(long newView) {
    List<PbftMessage.Prepared> prepared = new ArrayList<>();
    List<PbftMessage.PrePrepared> prePrepared = new ArrayList<>();
    for (Slot slot : p.slots.values()) {
      if (slot.seq <= p.low || slot.seq > p.low + p.config.window()) {
        continue; // a recovered replica keeps its journal's certificates even while its
                  // window is empty, and reports them
      }
      if (slot.prepared != null) {
        prepared.add(slot.prepared);
      }
      for (Map.Entry<Digest, Long> q : slot.prePrepared.entrySet()) {
        prePrepared.add(new PbftMessage.PrePrepared(slot.seq, q.getValue(), q.getKey()));
      }
    }
    return Signing.signViewChange(p.config.signer(), newView, p.low,
        p.checkpoints.stableProof, prepared, prePrepared);
  }

  void onViewChange(int from, PbftMessage.ViewChange vc) {
    if (vc.replica() != from) {
      p.drop("view change signed for another replica than its sender");
      return;
    }
    if (vc.newView() < p.view || (vc.newView() == p.view && !p.changingView)) {
      p.drop("view change for a view already reached");
      p.retransmit.sendNewView(from);
      return;
    }
    Map<Integer, PbftMessage.ViewChange> forView = received.get(vc.newView());
    if (forView != null && forView.containsKey(from)) {
      // A repeat: taken while a spare (no say in views) or after a refusal, the ones held may
      // only now pull this replica along.
      joinIfTPlusOneMovedOn();
      return;
    }
    String invalid = invalid(vc);
    if (invalid != null) {
      p.drop("view change " + invalid);
      return;
    }
    store(vc);
    joinIfTPlusOneMovedOn();
    armDeadline(); // a view change for this view or a later one may complete the quorum
    if (p.changingView && vc.newView() == p.view) {
      tryNewView();
    }
  }

  private void store(PbftMessage.ViewChange vc) {
    received.computeIfAbsent(vc.newView(), v -> new TreeMap<>()).putIfAbsent(vc.replica(), vc);
    // Bounded: a faulty replica's view changes for ever higher views must not pile up.
    while (received.size() > p.quorum().n() + 2) {
      received.pollLastEntry();
    }
  }

  /** Why a view change is not valid, or null when it is. Checks the signature last. */
  String invalid(PbftMessage.ViewChange vc) {
    Set<Long> seqs = new HashSet<>();
    long high = p.membership.windowEndAbove(vc.stableSeq());
    for (PbftMessage.Prepared prepared : vc.prepared()) {
      if (prepared.seq() <= vc.stableSeq() || prepared.seq() > high || !seqs.add(prepared.seq())
          || prepared.view() >= vc.newView() || !prepared.batch().digest().equals(prepared.digest())) {
        return "with a malformed prepared entry";
      }
    }
    for (PbftMessage.PrePrepared q : vc.prePrepared()) {
      if (q.seq() <= vc.stableSeq() || q.seq() > high || q.view() >= vc.newView()) {
        return "with a malformed pre-prepared entry";
      }
    }
    if (vc.prePrepared().size() > 8 * p.config.window()) {
      return "with too many pre-prepared entries";
    }
    if (!p.checkpoints.proves(vc.stableSeq(), vc.stableProof())) {
      return "whose stable checkpoint is not proven by 2t+1 signed votes";
    }
    if (!Signing.verify(p.config.signer(), vc)) {
      return "with a bad signature";
    }
    return null;
  }

  /**
   * Liveness (§4.5.2): t+1 replicas asking for views above this one include a correct one, so
   * this replica joins the smallest of those views instead of waiting for its own timer.
   */
  private void joinIfTPlusOneMovedOn() {
    long from = p.changingView ? p.view : p.view - 1;
    if (askingBeyond(from).size() < p.quorum().weak()) {
      return;
    }
    for (Map.Entry<Long, Map<Integer, PbftMessage.ViewChange>> e
        : received.tailMap(from, false).entrySet()) {
      if (e.getValue().keySet().stream().anyMatch(replica -> replica != p.self())) {
        if (e.getKey() > p.view) {
          start(e.getKey(), "t+1 replicas moved to view " + e.getKey() + " or later");
        }
        return;
      }
    }
  }

  /** The replicas other than this one whose view changes for views above {@code view} are held. */
  Set<Integer> askingBeyond(long view) {
    Set<Integer> asking = askingFrom(view + 1);
    asking.remove(p.self());
    return asking;
  }

  /** The replicas, this one included, whose view changes for {@code view} or later are held. */
  private Set<Integer> askingFrom(long view) {
    Set<Integer> asking = new HashSet<>();
    for (Map<Integer, PbftMessage.ViewChange> forView : received.tailMap(view, true).values()) {
      asking.addAll(forView.keySet());
    }
    return asking;
  }

  /** The new primary decides as soon as the view changes it holds allow it. */
  private void tryNewView() {
    if (!p.changingView || p.primary(p.view) != p.self() || !p.repair.mayVoteForView(p.view)) {
      return;
    }
    List<PbftMessage.ViewChange> changes =
        new ArrayList<>(received.getOrDefault(p.view, Map.of()).values());
    // View changes kept from before a boundary may come from replicas the new configuration
    // removed: backups would refuse a new view that carries them, and a quorum is counted in
    // one configuration.
    changes.removeIf(vc -> !p.membership.current().contains(vc.replica()));
    if (!p.membership.settled() || adoptsLaterCheckpoint(changes)) {
      return; // decided once the configuration of the checkpoint they prove is read
    }
    Optional<NewViewDecision.Decision> decision = NewViewDecision.decide(changes, p.quorum());
    if (decision.isEmpty()) {
      return;
    }
    List<PbftMessage.PrePrepare> prePrepares = new ArrayList<>();
    decision.get().batches().forEach((seq, batch) ->
        prePrepares.add(new PbftMessage.PrePrepare(p.view, seq, batch)));
    PbftMessage.NewView nv =
        Signing.signNewView(p.config.signer(), p.view, changes, prePrepares);
    p.out.broadcast(nv);
    enter(nv, decision.get());
  }

  /**
   * A new view is taken only from the view's primary, which is also the only replica that sends
   * it again to a replica that missed it ({@link Retransmit#sendNewView}). It would verify as
   * well when forwarded (its primary's signature and the 2t+1 signed view changes it carries),
   * but the runtime's pre-check verifies a new view's signature as its sender's, so a forwarded
   * copy would be verified again on the loop thread, and several peers forwarding it to a
   * replica that is slow to take it in cost that replica more than the one copy it needs.
   */
  void onNewView(int from, PbftMessage.NewView nv) {
    if (from != p.primary(nv.view())) {
      p.drop("new view from a replica that is not its primary");
      return;
    }
    if (nv.view() < p.view || (nv.view() == p.view && !p.changingView)) {
      return; // already in it (a retransmission) or past it
    }
    Optional<NewViewDecision.Decision> decision = verify(from, nv);
    if (decision.isEmpty()) {
      return;
    }
    enter(nv, decision.get());
  }

  /** The decision a new view carries if it is valid; empty (and counted) if not. */
  private Optional<NewViewDecision.Decision> verify(int from, PbftMessage.NewView nv) {
    if (!Signing.verify(p.config.signer(), from, nv)) {
      p.drop("new view with a bad signature");
      return Optional.empty();
    }
    Set<Integer> senders = new HashSet<>();
    for (PbftMessage.ViewChange vc : nv.proofs()) {
      if (vc.newView() != nv.view() || !p.membership.current().contains(vc.replica())
          || !senders.add(vc.replica()) || invalid(vc) != null) {
        p.drop("new view with an invalid or repeated view change");
        return Optional.empty();
      }
    }
    if (!p.membership.settled() || adoptsLaterCheckpoint(nv.proofs())) {
      p.drop("new view proving a checkpoint whose configuration is not read yet");
      return Optional.empty();
    }
    Optional<NewViewDecision.Decision> decision = NewViewDecision.decide(nv.proofs(), p.quorum());
    if (decision.isEmpty() || !matches(decision.get(), nv.prePrepares(), nv.view())) {
      p.drop("new view whose pre-prepares do not follow from its view changes");
      return Optional.empty();
    }
    return decision;
  }

  /**
   * A view change proving a stable checkpoint above this replica's may cross a configuration
   * boundary: the new view must be decided in the configuration that checkpoint's state
   * names, so this replica first adopts it (fetching its state if it lacks it) and decides
   * only once its own schedule is that checkpoint's. True when it had to adopt one.
   */
  private boolean adoptsLaterCheckpoint(List<PbftMessage.ViewChange> changes) {
    PbftMessage.ViewChange highest = null;
    for (PbftMessage.ViewChange vc : changes) {
      if (vc.stableSeq() > p.low && (highest == null || vc.stableSeq() > highest.stableSeq())) {
        highest = vc;
      }
    }
    if (highest == null) {
      return false;
    }
    PbftMessage.CheckpointVote vote = highest.stableProof().get(0);
    p.checkpoints.becomeStable(new Checkpoints.Point(vote.seq(), vote.state(), vote.time()),
        highest.stableProof());
    return true;
  }

  private static boolean matches(NewViewDecision.Decision decision,
      List<PbftMessage.PrePrepare> prePrepares, long view) {
    if (decision.batches().size() != prePrepares.size()) {
      return false;
    }
    for (PbftMessage.PrePrepare pp : prePrepares) {
      Batch batch = decision.batches().get(pp.seq());
      if (pp.view() != view || batch == null || !batch.equals(pp.batch())) {
        return false;
      }
    }
    return true;
  }

  /** Enters the new view: its checkpoint, its pre-prepares, fresh timers. */
  private void enter(PbftMessage.NewView nv, NewViewDecision.Decision decision) {
    p.view = nv.view();
    p.changingView = false;
    deadline = -1;
    current = nv;
    own = null;
    received.headMap(nv.view(), true).clear();
    PbftMessage.ViewChange from = decision.stableFrom();
    if (from.stableSeq() > p.low) {
      PbftMessage.CheckpointVote vote = from.stableProof().get(0);
      p.checkpoints.becomeStable(new Checkpoints.Point(vote.seq(), vote.state(), vote.time()),
          from.stableProof());
    }
    p.pending.newView(p.now);
    for (Slot slot : p.slots.values()) {
      slot.waiting = null;
    }
    decision.batches().forEach((seq, batch) -> adopt(seq, batch));
    p.normal.newView(decision.maxSeq());
  }

  private void adopt(long seq, Batch batch) {
    if (!p.inWindow(seq)) {
      return;
    }
    Slot slot = p.slot(seq);
    Digest digest = batch.digest();
    if (slot.executedDigest() != null && !slot.executedDigest().equals(digest)) {
      throw new IllegalStateException("replica " + p.self() + " executed " + slot.executedDigest()
          + " at seq " + seq + " but view " + p.view + " orders " + digest + " there: a"
          + " committed batch was lost");
    }
    // A request held again after it executed (a client's retransmission, for want of enough
    // replies) is not ordered by re-adopting a batch this replica already executed: marking it
    // proposed there would keep the primary from ever ordering it again, and the client would
    // never get the replies it waits for.
    for (Request request : seq > p.lastExecuted ? batch.requests() : List.<Request>of()) {
      Pending.Entry entry = p.pending.get(request);
      if (entry != null) {
        entry.proposed = true;
      }
    }
    if (p.isPrimary()) {
      p.normal.acceptAsPrimary(slot, batch, digest);
    } else {
      p.normal.acceptAsBackup(slot, batch, digest);
    }
  }

  void onTick() {
    if (p.changingView && deadline >= 0 && p.now >= deadline) {
      start(p.view + 1, "no new view for view " + p.view + " within " + p.timeout() + " ms");
    }
  }
}
