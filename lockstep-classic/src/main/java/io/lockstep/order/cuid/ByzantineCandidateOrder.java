package io.lockstep.order.cuid;

import io.lockstep.identity.Signer;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.order.agreement.ClientCopies;
import io.lockstep.order.agreement.DolevStrong;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.agreement.SignedRounds;
import io.lockstep.order.cuid.CuidMessage.Kind;
import io.lockstep.order.stamped.Drops;
import io.lockstep.order.stamped.Outbox;
import io.lockstep.order.stamped.Uid;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.storage.codec.CodecException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Order by replica-generated identifiers under Byzantine faults (paper §3.2.3, the Byzantine
 * variant), 2t+1 replicas, as a deterministic {@link Coordination}.
 *
 * <p>Time is cut into rounds of the synchronized clocks ({@link ByzantineConfig#roundMillis}).
 * At the start of each round a replica disseminates one {@link Batch} by Dolev–Strong signed
 * agreement ({@link SignedRounds}): the requests it was handed, its candidates for requests it
 * saw, and its timeout reports. Every correct replica decides the batches started in round s
 * when round s+t+1 begins, identically (IC1), and a correct replica's batch is its own (IC2).
 * At that boundary, in transmitter order, a replica: counts candidates and reports; sees each
 * new request once the batches of t+1 transmitters carried it ({@link ClientCopies}: it is then
 * its client's own, since a correct replica had it from the client), proposing cuid :=
 * (max(SEEN, ACCEPT) + 1, i) for its next batch; accepts every request holding a candidate
 * from each replica in NF, with uid := the largest of them; reports
 * "sm_j timeout" for a replica of NF whose candidate for a request it saw t+1 rounds ago is
 * still missing (a correct replica's is decided exactly then); and NF excludes a replica once
 * {@link ByzantineConfig#reportsToExclude} (t+1) replicas reported it ({@link TimeoutReports}).
 * The order rule then processes the accepted request with the smallest uid that is stable
 * (no request seen here and not accepted has a candidate at or below its uid).
 *
 * <p>Why a faulty replica cannot reorder correct requests beyond the paper's rule: UID1 holds
 * for every correct replica because correct replicas are never excluded (t+1 reports include a
 * correct one), so a uid is never below a correct candidate and the stability test stays sound;
 * UID2 holds by the candidate rule. A faulty replica's large candidate can only raise a uid, by
 * at most {@link ByzantineConfig#candidateSpan} above the correct one (larger ones, and ones not
 * above its previous candidate, which would repeat a uid, are dropped and count as missing, so a
 * timeout follows); its silence costs t+1 rounds, then exclusion; an
 * equivocation or a bad signature makes its batch the default (nothing). Acceptance happens at
 * the same round boundary at every correct replica, which is the client quiescence O1/O2 need.
 *
 * <p>A replica checks the order rule as it goes: a uid accepted at or below one already
 * processed is reported as a broken assumption, never processed silently out of order.
 */
public final class ByzantineCandidateOrder implements Coordination {
  /** Request ids: (transmitter, round × SEQ_PER_ROUND + index in its batch). */
  static final long SEQ_PER_ROUND = Batch.MAX_ENTRIES + 1L;
  static final byte[] STARTED = "lockstep-cuid-byz:started".getBytes(StandardCharsets.UTF_8);
  private static final String NOT_OURS = "not a round message of a member";
  private static final String CHAIN = "signed chain refused (bad signature, wrong round or"
      + " instance)";
  private static final String NO_BATCH = "decided value is not a batch";
  private static final String REPORT = "timeout report ignored";
  private static final String BIG_BATCH = "requests beyond max-batch in a batch";
  private static final String CANDIDATE = "candidate outside the rules (counted as missing)";
  static final String NOT_CLIENTS = "request not carried by t+1 replicas (not its client's own)";
  static final String CLIENT_SIGNATURE = "client signature malformed or not the client's";
  /**
   * Rounds a request carried by fewer than t+1 replicas is held: a client sends to every replica
   * at once, so its copies are decided within a round or two of each other.
   */
  static final int COPY_WAIT_ROUNDS = 8;

  private final ByzantineConfig config;
  private final int self;
  private final SignedRounds rounds;
  private final CandidateLedger ledger;
  private final TimeoutReports reports;
  private final ClientCopies copies;
  private final boolean halted;
  private final Map<Proposal.Id, Proposal> proposals = new HashMap<>();
  /** Requests (null: a read barrier, with its read id) waiting for this replica's next batch. */
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final List<Batch.Candidate> ownCandidates = new ArrayList<>();
  private final List<Integer> ownTimeouts = new ArrayList<>();
  private final Set<Integer> reportedByMe = new HashSet<>();
  /** Each replica's last counted candidate counter: a correct replica's strictly increase. */
  private final Map<Integer, Long> lastCandidate = new HashMap<>();
  private final Map<Proposal.Id, Long> barriers = new HashMap<>();
  private final Drops drops = new Drops();
  private final List<String> brokenAssumptions = new ArrayList<>();
  private final Outbox out = new Outbox();
  private Uid lastProcessed;
  private long position;
  private long time = Long.MIN_VALUE;

  private record Waiting(Request request, byte[] signature, long readId) {}

  /**
   * @param config this replica's settings
   * @param signer signs as this replica and verifies the others (Ed25519 in a cluster)
   * @param recovered what storage holds: anything means the replica ran before and cannot
   *     rejoin (integration, paper §7.2, is not built), so it refuses every request
   */
  public ByzantineCandidateOrder(ByzantineConfig config, Signer signer, Recovered recovered) {
    this(config, signer, ClientPublicKeys.none(), recovered);
  }

  /**
   * The same, taking a request on one carrier's word when its client signed it ({@link
   * ClientCopies}).
   *
   * @param clientKeys the clients' public keys, the same at every replica
   */
  public ByzantineCandidateOrder(ByzantineConfig config, Signer signer, ClientPublicKeys clientKeys,
      Recovered recovered) {
    this.config = config;
    this.self = config.self();
    if (signer.self() != self) {
      throw new IllegalArgumentException("signer of " + signer.self() + " for replica " + self);
    }
    this.rounds = new SignedRounds(signer, config.members(), config.t());
    this.ledger = new CandidateLedger(self);
    this.reports = new TimeoutReports(config.members(), config.reportsToExclude());
    this.copies = new ClientCopies(config.t(), COPY_WAIT_ROUNDS, config.maxPending(),
        clientKeys);
    this.halted = recovered.hardState() != null || recovered.snapshot() != null
        || !recovered.entries().isEmpty();
    if (!halted) {
      out.writes.add(new StorageWrite.HardState(STARTED));
    }
  }

  @Override
  public void step(Input input) {
    boolean asks = input instanceof Input.Propose || input instanceof Input.Read;
    if (halted || (rounds.round() == Long.MIN_VALUE && asks)) {
      refuse(input);
      return;
    }
    if (input instanceof Input.Propose p) {
      propose(p.request(), p.clientSignature());
    } else if (input instanceof Input.Read r) {
      waiting.add(new Waiting(null, null, r.readId()));
    } else if (input instanceof Input.Receive r) {
      if (r.message() instanceof RoundMessage m && r.from() != self
          && config.members().contains(r.from())) {
        rounds.receive(r.from(), m.chain());
      } else {
        reject(NOT_OURS, "from " + r.from() + ": " + r.message().getClass().getSimpleName()
            + " is not a round message of a member");
      }
    } else if (input instanceof Input.Tick t) {
      tick(t.wallClock());
    }
    process();
    for (DolevStrong.Send s : rounds.drainSends()) {
      out.send(s.to(), new RoundMessage(s.chain()));
    }
    rounds.drainRejected().forEach(reason -> reject(CHAIN, reason));
    brokenAssumptions.addAll(rounds.drainBrokenSynchrony());
  }

  private void refuse(Input input) {
    String why = halted ? "replica " + self + " stopped earlier and cannot rejoin the Byzantine"
        + " replica-uid order (integration, paper §7.2, is not built)" : "no clock reading yet";
    if (input instanceof Input.Propose p) {
      out.redirects.add(new Ready.Redirect(p.request(), -1, halted ? -1 : self, why, !halted));
    } else if (input instanceof Input.Read r) {
      out.redirects.add(new Ready.Redirect(null, r.readId(), halted ? -1 : self, why, !halted));
    }
  }

  private void propose(Request request, byte[] signature) {
    String malformed = CarriedRequests.intakeRefusal(signature);
    if (malformed != null) {
      reject(CLIENT_SIGNATURE, request + ": " + malformed);
      out.redirects.add(new Ready.Redirect(request, -1, -1, malformed, false));
      return;
    }
    int busy = waiting.size() + proposals.size() + copies.held();
    if (busy >= config.maxPending()) {
      out.redirects.add(new Ready.Redirect(request, -1, self, busy
          + " requests wait to be ordered", true));
      return;
    }
    waiting.add(new Waiting(request, signature, -1));
  }

  /** A new round on the synchronized clock: decide, apply, accept, report, transmit. */
  private void tick(long wallClock) {
    long round = Math.floorDiv(wallClock, config.roundMillis());
    long current = rounds.round();
    if (current != Long.MIN_VALUE && round <= current) {
      return;
    }
    // A skipped round is reported by the rounds themselves, once they have begun (SignedRounds).
    for (SignedRounds.Decided d : rounds.begin(round)) {
      apply(d);
    }
    for (Request r : copies.expire(round)) {
      reject(NOT_CLIENTS, "round " + round + ": " + r + " was carried by fewer than t+1 = "
          + (config.t() + 1) + " replicas within " + COPY_WAIT_ROUNDS + " rounds: not taken"
          + " as its client's own");
    }
    for (Proposal p : List.copyOf(ledger.seenNotAccepted().values())) {
      tryAccept(p);
    }
    reportTimeouts(round);
    transmit(round);
  }

  /** One decided batch, applied at the same boundary, in the same order, at every replica. */
  private void apply(SignedRounds.Decided d) {
    if (d.value() == null) {
      return; // the transmitter sent nothing, or two values: the default is the empty batch
    }
    Batch batch;
    try {
      batch = Batch.decode(d.value());
    } catch (CodecException | IllegalArgumentException e) {
      reject(NO_BATCH, "round " + d.round() + ": replica " + d.transmitter()
          + " disseminated no batch: "
          + e.getMessage());
      return;
    }
    int from = d.transmitter();
    if (!reports.excluded(from)) {
      batch.candidates().forEach(c -> candidate(from, c));
      for (int accused : batch.timeouts()) {
        String ignored = reports.report(from, accused);
        if (ignored != null) {
          reject(REPORT, "round " + d.round() + ": " + ignored);
        }
      }
    }
    List<Request> requests = batch.requests();
    if (requests.size() > config.maxBatch()) {
      reject(BIG_BATCH, "round " + d.round() + ": replica " + from + " disseminated "
          + requests.size()
          + " requests, at most " + config.maxBatch() + " are taken");
      requests = requests.subList(0, config.maxBatch());
    }
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      ClientCopies.Outcome copy = r == null ? null
          : copies.copy(r, batch.carried().signatures().get(i), from, d.round());
      if (r == null || copy == ClientCopies.Outcome.TAKEN) {
        see(new Proposal.Id(from, d.round() * SEQ_PER_ROUND + i), r);
      } else if (copy == ClientCopies.Outcome.REFUSED) {
        reject(CLIENT_SIGNATURE, "round " + d.round() + ": " + r + " from replica " + from
            + " dropped: " + copies.lastRefusal());
      } else if (copy == ClientCopies.Outcome.FULL) {
        reject(NOT_CLIENTS, "round " + d.round() + ": " + r + " from replica " + from
            + " dropped: " + config.maxPending() + " requests are held for copies already");
      }
    }
  }

  /** Seeing r: its candidate here goes into this replica's next batch. */
  private void see(Proposal.Id id, Request request) {
    Proposal p = new Proposal(id);
    p.kind = request == null ? Kind.BARRIER : Kind.REQUEST;
    p.request = request;
    p.seenRound = rounds.round();
    proposals.put(id, p);
    ownCandidates.add(new Batch.Candidate(id.origin(), id.seq(), ledger.see(p).time()));
  }

  private void candidate(int from, Batch.Candidate c) {
    Proposal p = proposals.get(new Proposal.Id(c.origin(), c.seq()));
    if (p == null || p.uid != null || p.candidates.containsKey(from)) {
      reject(CANDIDATE, "replica " + from + ": candidate for (" + c.origin() + "," + c.seq()
          + "), not a request seen here and waiting for its candidate");
    } else if (c.counter() <= lastCandidate.getOrDefault(from, 0L)) {
      // SEEN grows with every candidate a replica proposes, and its batches decide in the
      // order it sent them, so a correct replica's counters strictly increase; a repeat would
      // give two requests one uid.
      reject(CANDIDATE, "replica " + from + ": candidate " + c.counter() + " for ("
          + c.origin() + "," + c.seq() + ") does not exceed its previous " + lastCandidate.get(from)
          + ": counted as missing");
    } else if (c.counter() - p.own.time() > config.candidateSpan()) {
      reject(CANDIDATE, "replica " + from + ": candidate " + c.counter() + " for ("
          + c.origin() + "," + c.seq() + ") is above " + (p.own.time() + config.candidateSpan())
          + " (this replica's own is " + p.own.time() + "): counted as missing");
    } else {
      lastCandidate.put(from, c.counter());
      p.candidates.put(from, new Uid(c.counter(), from));
    }
  }

  /** Accepts r once every replica of NF proposed a candidate: uid(r) := the largest. */
  private void tryAccept(Proposal p) {
    Uid max = null;
    for (int m : reports.nf()) {
      Uid c = p.candidates.get(m);
      if (c == null) {
        return;
      }
      max = max == null || max.before(c) ? c : max;
    }
    if (max == null) {
      return; // NF is empty: only possible when exclusion is broken on purpose
    }
    if (lastProcessed != null && !lastProcessed.before(max)) {
      brokenAssumptions.add("replica " + self + ": request " + p.id + " accepted with uid "
          + max + ", not above " + lastProcessed + " already processed: the order rule broke"
          + " (UID1 failed here: was a correct replica excluded from NF?)");
    }
    ledger.accept(p, max);
  }

  /** "sm_j timeout" for each replica of NF whose candidate is missing t+1 rounds after. */
  private void reportTimeouts(long round) {
    for (Proposal p : ledger.seenNotAccepted().values()) {
      if (round < p.seenRound + config.t() + 1) {
        continue;
      }
      for (int m : reports.nf()) {
        if (m != self && !p.candidates.containsKey(m) && reportedByMe.add(m)) {
          ownTimeouts.add(m);
        }
      }
    }
  }

  /** This replica's batch for {@code round}, if it has anything to say. */
  private void transmit(long round) {
    List<Request> requests = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    while (!waiting.isEmpty() && requests.size() < config.maxBatch()) {
      Waiting w = waiting.poll();
      if (w.request() == null) {
        barriers.put(new Proposal.Id(self, round * SEQ_PER_ROUND + requests.size()), w.readId());
      }
      requests.add(w.request());
      signatures.add(w.signature());
    }
    Batch batch = new Batch(new CarriedRequests(requests, signatures), ownCandidates,
        ownTimeouts);
    ownCandidates.clear();
    ownTimeouts.clear();
    if (!batch.isEmpty()) {
      rounds.transmit(batch.encode());
    }
  }

  /** The order rule: the stable accepted request with the smallest uid, while there is one. */
  private void process() {
    for (Proposal p = ledger.firstAccepted(); p != null && ledger.stableHere(p);
        p = ledger.firstAccepted()) {
      ledger.processed(p);
      proposals.remove(p.id);
      lastProcessed = p.uid;
      position++;
      if (p.kind == Kind.REQUEST) {
        // The agreed time is the round that saw it: the same at every correct replica.
        time = Math.max(time, p.seenRound * config.roundMillis());
        out.stable.add(new Ordered(position, time, p.request));
      } else {
        Long readId = barriers.remove(p.id);
        if (readId != null) {
          out.reads.add(new Ready.ReadGrant(readId, position));
        }
      }
    }
  }

  private void reject(String category, String reason) {
    drops.reject(category, reason);
  }

  @Override
  public Ready ready() {
    return out.drain();
  }

  @Override
  public Status status() {
    return new Status(self, Role.FOLLOWER, 0, -1, position,
        position + ledger.accepted().size(), 0);
  }

  @Override
  public long dropped() {
    return drops.count();
  }

  @Override
  public Map<String, Long> dropsByReason() {
    return drops.byCategory();
  }

  /** Why input was dropped since the last call (the first {@value Drops#REASONS_KEPT}). */
  public List<String> drainRejected() {
    return drops.drainReasons();
  }

  /** The replicas NF excludes. */
  public Set<Integer> excludedReplicas() {
    return reports.excludedReplicas();
  }

  @Override
  public List<String> drainBrokenAssumptions() {
    List<String> broken = List.copyOf(brokenAssumptions);
    brokenAssumptions.clear();
    return broken;
  }
}
