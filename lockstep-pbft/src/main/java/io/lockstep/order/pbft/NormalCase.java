package io.lockstep.order.pbft;

import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * The normal case (PBFT §4.2): the primary batches held requests into pre-prepares within the
 * window; backups accept a pre-prepare of the current view only if its agreed time lies within
 * their clock bound and they hold each of its requests from the client, or t other backups
 * prepared it ({@link #vouched}); 2t matching prepares
 * from backups prepare it, 2t+1 matching commits commit it, and batches execute in sequence
 * order. Also the request timer (§4.4 liveness) and the per-request slow-primary check
 * (Aardvark); the throughput check is {@link ThroughputWatch}'s.
 */
final class NormalCase {
  /** The client a null batch's clock-only request is ordered under. */
  static final ClientId NULL_BATCH = ClientId.of("lockstep:pbft-null");
  /** The runtime's clock null requests, which no client sends and backups accept unheld. */
  private static final ClientId CLOCK = ClientId.of("lockstep:clock");

  private final Pbft p;
  /** Primary: next sequence number to assign, and the last agreed time it proposed. */
  long nextSeq = 1;
  long proposedTime;
  /** Deadline of the request timer on the monotonic clock; -1 when it is not running. */
  long requestDeadline = -1;
  /** Highest sequence number pre-prepared in the current view (a full window is no fault). */
  long highestPrePrepared;
  /**
   * Sequence numbers whose slot may hold back a pre-prepare ({@link Slot#waiting}), ascending:
   * a retry on every arriving request walks these, not the whole window (up to L slots, most
   * of them executed, which cost the loop about 7 % of its time under load). Entries whose
   * slot no longer waits are dropped as the walk finds them.
   */
  private final TreeSet<Long> heldBack = new TreeSet<>();
  /** Requests executed lately (at least a window's worth): see {@link #onForward}. */
  private final RecentlyExecuted recentlyExecuted;

  NormalCase(Pbft p) {
    this.p = p;
    this.recentlyExecuted = new RecentlyExecuted(p.config.window() * p.config.maxBatch());
  }

  void onRequest(Request request) {
    Pending.Entry entry = p.pending.add(request, Math.max(p.now, 0));
    if (entry == null) {
      p.drop("pending requests full");
      p.refuseFull(request);
      return;
    }
    if (!entry.ordered && inCurrentPrePrepare(request)) {
      // The primary ordered it before it reached this replica: still the primary's work.
      entry.ordered = true;
      p.watch.onOrdered(1);
    }
    armRequestTimer();
    retryWaiting();
  }

  void onForward(int from, Request request) {
    if (!p.isPrimary() || p.changingView) {
      p.drop("forwarded request at a replica that is not the primary");
      return;
    }
    if (recentlyExecuted.contains(Pending.Key.of(request))) {
      // The forwarding backup lags (it missed the pre-prepare); ordering the request again
      // would stall, as backups that executed it no longer hold it, and start a view change.
      p.drop("forwarded request this primary already executed");
      return;
    }
    if (p.pending.add(request, Math.max(p.now, 0)) == null) {
      p.drop("pending requests full");
    }
  }

  private boolean inCurrentPrePrepare(Request request) {
    for (Slot slot : p.slots.tailMap(p.lastExecuted, false).values()) {
      if (slot.acceptedView == p.view && slot.accepted != null
          && slot.contents.get(slot.accepted).requests().contains(request)) {
        return true;
      }
    }
    return false;
  }

  void onPrePrepare(int from, PbftMessage.PrePrepare pp) {
    if (from != p.primary(pp.view())) {
      p.drop("pre-prepare from a replica that is not the view's primary");
      return;
    }
    if (pp.view() != p.view || p.changingView) {
      p.drop("pre-prepare for another view");
      return;
    }
    if (!p.inWindow(pp.seq())) {
      p.drop("pre-prepare outside the watermarks");
      return;
    }
    if (pp.batch().requests().size() > p.config.maxBatch()) {
      p.drop("pre-prepare batch larger than the configured maximum");
      return;
    }
    Slot slot = p.slot(pp.seq());
    if (slot.acceptedView == p.view) {
      onRepeatedPrePrepare(from, slot, pp);
      return;
    }
    Digest digest = pp.batch().digest();
    if (!timeWithinBound(pp.batch())) {
      p.drop("pre-prepare time outside this replica's clock bound");
      if (hasProposal(pp.batch())) {
        // Held back (never accepted with this time, see retryWaiting) so that the request
        // timer runs: this backup holds no client request that would start it otherwise.
        holdBack(slot, pp);
        armRequestTimer();
      }
      return;
    }
    if (!holdsAll(pp.batch(), vouched(slot, digest))) {
      holdBack(slot, pp);
      return;
    }
    acceptAsBackup(slot, pp.batch(), digest);
  }

  /**
   * A pre-prepare at a sequence number this backup accepted one for in this view: the primary
   * repeats its open pre-prepares every {@code retransmitMs}. It is the same batch exactly when
   * the content is equal (the digest covers the canonical encoding, which equal batches share
   * and unequal ones do not), so comparing content spares hashing every repeat.
   */
  private void onRepeatedPrePrepare(int from, Slot slot, PbftMessage.PrePrepare pp) {
    if (!pp.batch().equals(slot.contents.get(slot.accepted))) {
      p.drop("conflicting pre-prepare (equivocating primary)");
    } else if (slot.prepareSent && p.repair.mayRepeat(pp.seq())) {
      p.out.send(from, new PbftMessage.Prepare(p.view, pp.seq(), slot.accepted));
    }
  }

  private boolean timeWithinBound(Batch batch) {
    return p.wall >= 0 && Math.abs(batch.time() - p.wall) <= p.config.timeBoundMs();
  }

  /**
   * Whether this backup may take every request of {@code batch} as genuine: it holds each from
   * its client, or (when {@code vouched}) the batch's client requests are vouched for. A
   * replica-set proposal must still be one this backup agrees with.
   */
  private boolean holdsAll(Batch batch, boolean vouched) {
    for (Request request : batch.requests()) {
      boolean clock = request.kind() == Request.Kind.NULL && request.client().equals(CLOCK);
      boolean taken = clock || (Replacement.isProposal(request)
          ? p.replacement.agrees(request) : vouched);
      if (!taken && !p.pending.holds(request)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether t backups other than this one prepared {@code digest} at this slot in this view:
   * with the primary's pre-prepare that is t+1 replicas, at least one of them correct, and a
   * correct one votes only for requests it holds from their clients, so the batch's requests
   * are genuine though this backup never got some of them (Castro and Liskov's argument for
   * requests a backup cannot authenticate itself). Without it, a request that reached all but
   * one correct backup (a client cut off from it, or a faulty client that left it out) stalled
   * its batch whenever the faulty replica was silent: the other two correct backups are then
   * the only prepares, and they wait for the third. The 1,000-seed simulator run 400 ordered
   * nothing for the last ten seconds that way, across two view changes.
   */
  private boolean vouched(Slot slot, Digest digest) {
    return slot.preparesExcluding(p.view, digest, p.primary(p.view)) >= p.quorum().t();
  }

  private void holdBack(Slot slot, PbftMessage.PrePrepare pp) {
    slot.waiting = pp;
    heldBack.add(slot.seq);
  }

  /** A held-back pre-prepare whose requests have all arrived is accepted now. */
  private void retryWaiting() {
    for (Iterator<Long> seqs = heldBack.iterator(); seqs.hasNext(); ) {
      Slot slot = p.slots.get(seqs.next());
      PbftMessage.PrePrepare pp = slot == null ? null : slot.waiting;
      if (pp == null) {
        seqs.remove(); // accepted, collected below the low watermark, or cleared by a new view
      } else if (pp.view() == p.view && !p.changingView
          && holdsAll(pp.batch(), vouched(slot, pp.batch().digest()))
          && (!hasProposal(pp.batch()) || timeWithinBound(pp.batch()))) {
        seqs.remove();
        acceptAsBackup(slot, pp.batch(), pp.batch().digest());
      }
    }
  }

  /**
   * Accepts a pre-prepare (the caller checked it) and sends this backup's prepare, unless it
   * may not vote there ({@link Repair}): then it keeps the batch, to execute it once 2t+1 others
   * commit it.
   */
  void acceptAsBackup(Slot slot, Batch batch, Digest digest) {
    accept(slot, batch, digest);
    if (!p.repair.mayVote(slot.seq)) {
      checkCommitted(slot);
      return;
    }
    slot.prepareSent = true;
    slot.sentAt = p.now;
    p.out.broadcast(new PbftMessage.Prepare(p.view, slot.seq, digest));
    slot.addPrepare(p.view, digest, p.self());
    checkPrepared(slot);
  }

  private void accept(Slot slot, Batch batch, Digest digest) {
    slot.accept(p.view, batch, digest);
    p.durable.accepted(new PbftMessage.PrePrepare(p.view, slot.seq, batch));
    highestPrePrepared = Math.max(highestPrePrepared, slot.seq);
    int newlyOrdered = 0;
    long longestWait = -1;
    for (Request request : batch.requests()) {
      Pending.Entry entry = p.pending.get(request);
      if (entry != null && !entry.ordered) {
        entry.ordered = true;
        newlyOrdered++;
        longestWait = Math.max(longestWait, p.now - entry.heldSince);
      }
    }
    p.watch.onOrdered(newlyOrdered);
    if (longestWait >= 0 && p.ticked) {
      p.orderPatience.observe(longestWait); // one sample per batch: its oldest request's wait
    }
  }

  void onPrepare(int from, PbftMessage.Prepare prepare) {
    if (from == p.primary(prepare.view())) {
      p.drop("prepare from the view's primary");
      return;
    }
    if (prepare.view() != p.view || p.changingView) {
      p.drop("prepare for another view");
      return;
    }
    if (!p.inWindow(prepare.seq())) {
      helpLaggard(from, prepare.seq());
      return;
    }
    Slot slot = p.slot(prepare.seq());
    slot.addPrepare(prepare.view(), prepare.digest(), from);
    if (slot.waiting != null && slot.waiting.view() == p.view
        && slot.waiting.batch().digest().equals(prepare.digest())) {
      retryWaiting(); // it may be vouched for now
    }
    checkPrepared(slot);
  }

  /** Prepared (§4.2): the accepted pre-prepare and 2t matching prepares from backups. */
  private void checkPrepared(Slot slot) {
    if (slot.acceptedView != p.view || slot.commitSentView == p.view
        || !p.repair.mayVote(slot.seq)) {
      return;
    }
    Digest digest = slot.accepted;
    if (slot.preparesExcluding(p.view, digest, p.primary(p.view)) < p.quorum().prepares()) {
      return;
    }
    slot.prepared = new PbftMessage.Prepared(slot.seq, p.view, digest, slot.contents.get(digest));
    slot.commitSentView = p.view;
    slot.commitSent = digest;
    PbftMessage.Commit commit = new PbftMessage.Commit(p.view, slot.seq, digest);
    p.durable.committing(commit);
    slot.sentAt = p.now;
    p.out.broadcast(commit);
    slot.addCommit(p.view, digest, p.self());
    checkCommitted(slot);
  }

  void onCommit(int from, PbftMessage.Commit commit) {
    if (commit.view() > p.view) {
      p.drop("commit for a later view");
      return;
    }
    if (!p.inWindow(commit.seq())) {
      helpLaggard(from, commit.seq());
      return;
    }
    Slot slot = p.slot(commit.seq());
    slot.addCommit(commit.view(), commit.digest(), from);
    checkCommitted(slot);
  }

  /**
   * Committed: 2t+1 matching commits of one view, of which t+1 come from correct replicas that
   * prepared the batch, so no other batch can commit at this sequence number in any view; it
   * executes once its content (bound by the digest) is here, even if this replica never
   * prepared it itself.
   */
  void checkCommitted(Slot slot) {
    if (slot.committed() != null) {
      return;
    }
    Digest digest = slot.commitQuorum(p.quorum().quorum());
    if (digest != null && slot.contents.containsKey(digest)) {
      slot.commit(digest);
    }
  }

  /**
   * A lagging replica's answer from a peer that executed {@code fill.seq()}
   * ({@link Retransmit#resend} sends a fill only then): the batch's content, and the sender's
   * claim that it executed it there. The content is taken when a commit or pre-prepare here
   * names it; the claim counts on its own: t+1 replicas of the sequence number's configuration
   * claiming one batch include a correct one, which executed it only once 2t+1 commits of one
   * view named it, so it is committed there and no other batch ever is. This replica then
   * executes it without a commit quorum of its own. It needs that when the quorum that
   * committed the batch counted a commit since lost (a replica that repairs damaged storage
   * forgot it and may not vote again) and the replicas still voting cannot form a new one (one
   * of them moved alone into a later view): without it the batch waits for the next stable
   * checkpoint, which nothing orders towards (docs/ARCHITECTURE.md, "Retransmission and
   * laggards").
   */
  void onFill(int from, PbftMessage.Fill fill) {
    if (!p.inWindow(fill.seq())) {
      p.drop("fill outside the watermarks");
      return;
    }
    Slot slot = p.slot(fill.seq());
    if (slot.committed() != null) {
      // Nothing left to learn (the content is held, as committing needs it, and claims count
      // only towards committing), and no fault either: peers answer every status that looks
      // behind, and under load most fills find this replica past them. Ignored before hashing.
      return;
    }
    Digest digest = slot.digestOf(fill.batch());
    PbftConfiguration orders = p.membership.forSeq(fill.seq());
    boolean proven = orders.contains(from)
        && slot.addExecutedClaim(from, digest) >= orders.quorum().weak();
    if (!proven && !slot.names(digest)) {
      p.drop("fill of a batch no commit names");
      return;
    }
    slot.contents.putIfAbsent(digest, fill.batch());
    if (proven && slot.committed() == null && slot.commitQuorum(p.quorum().quorum()) == null) {
      slot.commit(digest);
    }
    checkCommitted(slot);
  }

  /** A peer's prepare or commit for a sequence number this replica already executed. */
  private void helpLaggard(int from, long seq) {
    if (seq > p.high()) {
      p.drop("message above the high watermark");
      return;
    }
    p.retransmit.resend(from, seq);
  }

  /** The primary orders held requests in batches while the window has room (§4.2, §5.1). */
  void propose() {
    if (!p.isPrimary() || p.changingView || !p.ticked || p.transfer.active()) {
      return;
    }
    nextSeq = Math.max(nextSeq, p.low + 1);
    if (!p.repair.mayVote(nextSeq)) {
      return; // it may have pre-prepared other batches there before its storage was damaged
    }
    List<Request> batch = new ArrayList<>();
    for (Pending.Entry entry : p.pending.entries()) {
      if (nextSeq > p.high()) {
        break;
      }
      if (entry.proposed) {
        continue;
      }
      entry.proposed = true;
      batch.add(entry.request);
      if (batch.size() == p.config.maxBatch()) {
        prePrepare(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      prePrepare(batch);
    }
    Request change = nextSeq <= p.high() ? p.replacement.propose(nextSeq) : null;
    if (change != null) {
      prePrepare(List.of(change));
    }
    // On an idle primary (it holds no request at all), null batches carry a pending replica-set
    // change to where it takes effect (Membership#settleBy), which client requests would
    // otherwise have to do. Only then: filling while requests flow cost the simulator's
    // membership runs their liveness (PbftMembershipSimulationTest seed 8).
    while (p.pending.isEmpty() && nextSeq <= p.high() && nextSeq <= p.membership.settleBy()) {
      prePrepare(List.of());
    }
  }

  private void prePrepare(List<Request> requests) {
    proposedTime = Math.max(Math.max(proposedTime, p.wall), p.executedTime);
    Batch batch = new Batch(proposedTime, requests);
    long seq = nextSeq++;
    p.out.broadcast(new PbftMessage.PrePrepare(p.view, seq, batch));
    Slot slot = p.slot(seq);
    slot.sentAt = p.now;
    acceptAsPrimary(slot, batch, batch.digest());
  }

  /** The primary's own pre-prepare counts as its prepare; it sends no prepare message. */
  void acceptAsPrimary(Slot slot, Batch batch, Digest digest) {
    accept(slot, batch, digest);
    proposedTime = Math.max(proposedTime, batch.time());
    checkPrepared(slot);
  }

  /**
   * Executes committed batches in sequence order, stopping after a checkpoint's sequence number
   * so that the runtime snapshots exactly that state ({@link Pbft#wantsSnapshot()}).
   */
  void execute() {
    while (!p.checkpoints.awaitingSnapshot() && !p.transfer.active()) {
      Slot slot = p.slots.get(p.lastExecuted + 1);
      if (slot == null || slot.committed() == null) {
        return;
      }
      executeSlot(slot);
    }
  }

  private void executeSlot(Slot slot) {
    Batch batch = slot.contents.get(slot.committed());
    long seq = slot.seq;
    p.executedTime = Math.max(p.executedTime, batch.time());
    long position = p.position(seq);
    if (batch.requests().isEmpty()) {
      p.out.stable(new Ordered(position, p.executedTime, Request.nullRequest(NULL_BATCH, seq)));
    }
    boolean progress = false;
    long longestWait = -1;
    for (Request request : batch.requests()) {
      if (SystemCommands.isAdmin(request.client())) {
        p.membership.systemCommandExecuted(seq);
      }
      p.out.stable(new Ordered(position++, p.executedTime, request));
      Pending.Entry held = p.pending.remove(request);
      if (held != null) {
        progress = true;
        longestWait = Math.max(longestWait, p.now - held.heldSince);
      }
      recentlyExecuted.add(Pending.Key.of(request));
    }
    if (longestWait >= 0 && p.ticked && !p.changingView) {
      p.executePatience.observe(longestWait);
    }
    slot.execute(slot.committed());
    slot.executedAt = Math.max(p.now, 0);
    p.lastExecuted = seq;
    if (progress && !p.changingView) {
      p.backoff = 0;
      p.suspicions.withdraw();
    }
    requestDeadline = -1;
    armRequestTimer();
    if (seq % p.config.checkpointInterval() == 0) {
      p.checkpoints.executedCheckpoint(seq);
    }
  }

  /** Runs the request timer while requests wait, unless a view change is under way. */
  void armRequestTimer() {
    if (requestDeadline < 0 && (!p.pending.isEmpty() || proposalWaits()) && !p.changingView
        && p.now >= 0) {
      requestDeadline = p.now + p.timeout();
    }
  }

  /**
   * Whether this backup holds back a pre-prepare of this view carrying a configurator proposal
   * it does not agree with (yet). It holds no client request for it, so without this the
   * request timer would not run, and a primary that proposed a change no correct backup makes
   * (or made it as the member came back) would stall ordering for good: now it is replaced.
   */
  private static boolean hasProposal(Batch batch) {
    return batch.requests().stream().anyMatch(Replacement::isProposal);
  }

  private boolean proposalWaits() {
    for (Slot slot : p.slots.tailMap(p.lastExecuted, false).values()) {
      PbftMessage.PrePrepare pp = slot.waiting;
      if (pp != null && pp.view() == p.view && hasProposal(pp.batch())) {
        return true;
      }
    }
    return false;
  }

  void onTick() {
    if (p.changingView) {
      return;
    }
    if (p.pending.isEmpty() && !proposalWaits()) {
      requestDeadline = -1;
    } else {
      armRequestTimer();
    }
    if (requestDeadline >= 0 && p.now >= requestDeadline && !p.transfer.silencesTimers()) {
      long waited = p.timeout();
      requestDeadline = p.now + waited; // runs again: a suspicion that persists is repeated
      p.suspicions.raise("a request waited " + waited + " ms");
      if (p.changingView) {
        return;
      }
    }
    String silentPrimary = p.replacement.primarySilence();
    if (silentPrimary != null && !p.transfer.silencesTimers()) {
      p.suspicions.raise(silentPrimary);
      if (p.changingView) {
        return;
      }
    }
    checkSlowPrimary();
    // A configurator proposal waits until this backup's own evidence passes the bound.
    retryWaiting();
    if (!p.changingView) {
      p.watch.onTick();
    }
  }

  /**
   * Aardvark's defence against a primary that orders just fast enough to dodge the request
   * timer: the primary's part (putting a held request in a pre-prepare) must take at most
   * what it took lately ({@link Pbft#orderPatience}, at least {@code proposeDelayMs}); a backup
   * first forwards the request (it may not have reached the primary), and suspects the primary
   * if it is still unordered after a second such delay (doubled per view change in a row).
   */
  private void checkSlowPrimary() {
    if (p.isPrimary() || highestPrePrepared >= p.high() || p.transfer.silencesTimers()) {
      return;
    }
    for (Pending.Entry entry : p.pending.entries()) {
      if (entry.ordered) {
        continue;
      }
      if (entry.forwardedAt < 0 && p.now - entry.heldSince >= p.orderPatience.timeout()) {
        entry.forwardedAt = p.now;
        p.out.send(p.primary(p.view), new PbftMessage.Forward(entry.request));
      } else if (entry.forwardedAt >= 0
          && p.now - entry.forwardedAt >= p.proposeTimeout()) {
        p.suspicions.raise("the primary left a request unordered "
            + (p.now - entry.heldSince) + " ms");
        return;
      }
    }
  }

  /** A new view began: the primary goes on after what the new view ordered. */
  void newView(long maxSeq) {
    p.watch.newView();
    nextSeq = Math.max(maxSeq, p.low) + 1;
    highestPrePrepared = maxSeq;
    requestDeadline = -1;
    armRequestTimer();
  }
}
