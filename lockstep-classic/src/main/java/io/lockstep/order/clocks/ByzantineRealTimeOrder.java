package io.lockstep.order.clocks;

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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Order by synchronized real-time clocks under Byzantine faults (paper §3.2.2 with §3.1's
 * Byzantine agreement), 2t+1 replicas, as a deterministic {@link Coordination}.
 *
 * <p>Dissemination: time is cut into rounds of the synchronized clocks; at the start of each
 * round a replica disseminates one {@link ClockBatch} — its clock reading then, and the requests
 * its clients handed it — by Dolev–Strong signed agreement ({@link SignedRounds}). Every correct
 * replica decides the batches started in round s as round s+t+1 begins, identically (IC1); a
 * correct replica's batch is its own (IC2); an equivocating or badly signing transmitter's is
 * the default, nothing.
 *
 * <p>uids: an entry's uid is (the batch's stamp, transmitter and index). A batch whose stamp is
 * not within the round it was disseminated in is dropped and counted: a correct transmitter's
 * always is (it stamps as its round begins), and the round itself was taken by every correct
 * replica only within t+1 rounds of its own clock (SignedRounds), so a liar's uid cannot sit
 * further from a correct clock than that. The check uses only decided data, so every correct
 * replica drops the same batches.
 *
 * <p>A request is taken into the order only as its client's own ({@link ClientCopies}): once the
 * decided batches of t+1 transmitters carried it; its uid is that of the (t+1)-th copy. A liar's
 * forged request never gets t+1 copies and is dropped after the wait.
 *
 * <p>Stability, test I with Δ taken from the rounds ({@link ByzantineClockConfig#delta}): every
 * uid below (s+1) × round comes from a batch of round s or before, all decided as round s+t+1
 * begins, so when round r begins every request with uid u &lt; (r − t) × round is stable. It is
 * test I read on the round counter rather than the local clock: the same boundary at every
 * correct replica, and no waiting beyond the agreement itself. Test II is not used: a silent
 * liar would block it. A request decided at or below a uid already processed would break the
 * order; it is reported as a broken assumption and never processed out of order.
 */
public final class ByzantineRealTimeOrder implements Coordination {
  static final byte[] STARTED = "lockstep-rt-byz:started".getBytes(StandardCharsets.UTF_8);
  /** An entry's place in its uid: the transmitter's place among the members × 2^16 + index. */
  private static final int INDEX_BITS = 16;
  static final String NOT_OURS = "not a round message of a member";
  static final String CHAIN = "signed chain refused (bad signature, wrong round or instance)";
  static final String NO_BATCH = "decided value is not a batch";
  static final String BAD_UID = "uid outside its round";
  static final String BIG_BATCH = "requests beyond max-batch in a batch";
  static final String NOT_CLIENTS = "request not carried by t+1 replicas (not its client's own)";
  static final String CLIENT_SIGNATURE = "client signature malformed or not the client's";
  static final String LATE = "decided below a uid already processed";

  private final ByzantineClockConfig config;
  private final int self;
  private final SignedRounds rounds;
  private final ClientCopies copies;
  private final boolean halted;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  /** Taken requests (null: a read barrier) by uid, waiting for test I. */
  private final TreeMap<Uid, Request> pending = new TreeMap<>();
  /** This replica's own read barriers: uid → read id. */
  private final Map<Uid, Long> barriers = new HashMap<>();
  private final Drops drops = new Drops();
  private final List<String> brokenAssumptions = new ArrayList<>();
  private final Outbox out = new Outbox();
  private Uid lastProcessed = Uid.ZERO;
  private long position;
  private long time = Long.MIN_VALUE;

  private record Waiting(Request request, byte[] signature, long readId) {}

  /**
   * @param config this replica's settings
   * @param signer signs as this replica and verifies the others
   * @param recovered what storage holds: anything means the replica ran before and cannot
   *     rejoin (integration, paper §7.2, is not built for the Byzantine order), so it refuses
   *     every request
   */
  public ByzantineRealTimeOrder(ByzantineClockConfig config, Signer signer, Recovered recovered) {
    this(config, signer, ClientPublicKeys.none(), recovered);
  }

  /**
   * The same, taking a request on one carrier's word when its client signed it ({@link
   * ClientCopies}).
   *
   * @param clientKeys the clients' public keys, the same at every replica
   */
  public ByzantineRealTimeOrder(ByzantineClockConfig config, Signer signer,
      ClientPublicKeys clientKeys, Recovered recovered) {
    this.config = config;
    this.self = config.self();
    if (signer.self() != self) {
      throw new IllegalArgumentException("signer of " + signer.self() + " for replica " + self);
    }
    this.rounds = new SignedRounds(signer, config.members(), config.t());
    this.copies = new ClientCopies(config.t(), config.copyWaitRounds(), config.maxPending(),
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
      propose(p.request(), p.clientSignature(), -1);
    } else if (input instanceof Input.Read r) {
      propose(null, null, r.readId());
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
    for (DolevStrong.Send s : rounds.drainSends()) {
      out.send(s.to(), new RoundMessage(s.chain()));
    }
    rounds.drainRejected().forEach(reason -> reject(CHAIN, reason));
    brokenAssumptions.addAll(rounds.drainBrokenSynchrony());
  }

  private void refuse(Input input) {
    String why = halted ? "replica " + self + " stopped earlier and cannot rejoin the Byzantine"
        + " real-time order (integration, paper §7.2, is not built for it)"
        : "no clock reading yet";
    if (input instanceof Input.Propose p) {
      out.redirects.add(new Ready.Redirect(p.request(), -1, halted ? -1 : self, why, !halted));
    } else if (input instanceof Input.Read r) {
      out.redirects.add(new Ready.Redirect(null, r.readId(), halted ? -1 : self, why, !halted));
    }
  }

  private void propose(Request request, byte[] signature, long readId) {
    String malformed = CarriedRequests.intakeRefusal(signature);
    if (malformed != null) {
      reject(CLIENT_SIGNATURE, request + ": " + malformed);
      out.redirects.add(new Ready.Redirect(request, -1, -1, malformed, false));
      return;
    }
    int busy = waiting.size() + pending.size() + copies.held();
    if (busy >= config.maxPending()) {
      out.redirects.add(new Ready.Redirect(request, readId, self, busy
          + " requests wait to be ordered", true));
      return;
    }
    waiting.add(new Waiting(request, signature, readId));
  }

  /** A tick that begins a new round: decide, take, transmit, process what is stable. */
  private void tick(long wallClock) {
    long round = Math.floorDiv(wallClock, config.roundMillis());
    long current = rounds.round();
    if (current == Long.MIN_VALUE || round > current) {
      // A skipped round is reported by the rounds themselves, once they have begun.
      for (SignedRounds.Decided d : rounds.begin(round)) {
        apply(d);
      }
      for (Request r : copies.expire(round)) {
        reject(NOT_CLIENTS, "round " + round + ": " + r + " was carried by fewer than t+1 = "
            + (config.t() + 1) + " replicas within " + config.copyWaitRounds() + " rounds:"
            + " not taken as its client's own");
      }
      transmit(round, wallClock);
      process(round);
    }
  }

  /** One decided batch, applied at the same boundary, in the same order, at every replica. */
  private void apply(SignedRounds.Decided d) {
    if (d.value() == null) {
      return; // the transmitter sent nothing, or two values: the default is the empty batch
    }
    ClockBatch batch;
    try {
      batch = ClockBatch.decode(d.value());
    } catch (CodecException | IllegalArgumentException e) {
      reject(NO_BATCH, "round " + d.round() + ": replica " + d.transmitter()
          + " disseminated no batch: " + e.getMessage());
      return;
    }
    long from = d.round() * config.roundMillis();
    if (!config.uidWindowUnchecked()
        && (batch.stamp() < from || batch.stamp() >= from + config.roundMillis())) {
      reject(BAD_UID, "round " + d.round() + ": replica " + d.transmitter() + " stamped its"
          + " batch " + batch.stamp() + ", outside its round [" + from + ", "
          + (from + config.roundMillis()) + "): batch dropped");
      return;
    }
    List<Request> requests = batch.requests();
    if (requests.size() > config.maxBatch()) {
      reject(BIG_BATCH, "round " + d.round() + ": replica " + d.transmitter() + " disseminated "
          + requests.size() + " requests, at most " + config.maxBatch() + " are taken");
      requests = requests.subList(0, config.maxBatch());
    }
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      ClientCopies.Outcome copy = r == null ? null
          : copies.copy(r, batch.carried().signatures().get(i), d.transmitter(), d.round());
      if (r == null || copy == ClientCopies.Outcome.TAKEN) {
        take(uid(batch.stamp(), d.transmitter(), i), r);
      } else if (copy == ClientCopies.Outcome.REFUSED) {
        reject(CLIENT_SIGNATURE, "round " + d.round() + ": " + r + " from replica "
            + d.transmitter() + " dropped: " + copies.lastRefusal());
      } else if (copy == ClientCopies.Outcome.FULL) {
        reject(NOT_CLIENTS, "round " + d.round() + ": " + r + " from replica " + d.transmitter()
            + " dropped: " + config.maxPending() + " requests are held for copies already");
      }
    }
  }

  /** Entry {@code index} of {@code transmitter}'s batch stamped {@code stamp}: unique. */
  private Uid uid(long stamp, int transmitter, int index) {
    return new Uid(stamp, (config.members().indexOf(transmitter) << INDEX_BITS) | index);
  }

  /** A request (or barrier) joins the order with {@code uid}, unless Δ proved too small. */
  private void take(Uid uid, Request request) {
    if (!lastProcessed.before(uid)) {
      reject(LATE, "uid " + uid + " decided after " + lastProcessed + " was processed");
      brokenAssumptions.add("replica " + self + ": uid " + uid + " decided after "
          + lastProcessed + " was processed: a uid outside its batch's round was taken");
      barriers.remove(uid);
      return;
    }
    pending.put(uid, request);
  }

  /** This replica's batch for {@code round}, stamped with its clock as the round begins. */
  private void transmit(long round, long wallClock) {
    List<Request> requests = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    while (!waiting.isEmpty() && requests.size() < config.maxBatch()) {
      Waiting w = waiting.poll();
      if (w.request() == null) {
        barriers.put(uid(wallClock, self, requests.size()), w.readId());
      }
      requests.add(w.request());
      signatures.add(w.signature());
    }
    if (!requests.isEmpty()) {
      rounds.transmit(new ClockBatch(wallClock, new CarriedRequests(requests, signatures))
          .encode());
    }
  }

  /** The order rule with test I on the round counter: the smallest uid, while stable. */
  private void process(long round) {
    long stableBelow = (round - config.t()) * config.roundMillis();
    while (!pending.isEmpty() && pending.firstKey().time() < stableBelow) {
      Map.Entry<Uid, Request> e = pending.pollFirstEntry();
      lastProcessed = e.getKey();
      position++;
      if (e.getValue() != null) {
        time = Math.max(time, e.getKey().time());
        out.stable.add(new Ordered(position, time, e.getValue()));
      } else {
        Long readId = barriers.remove(e.getKey());
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
    return new Status(self, Role.FOLLOWER, 0, -1, position, position + pending.size(), 0);
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

  @Override
  public List<String> drainBrokenAssumptions() {
    List<String> broken = List.copyOf(brokenAssumptions);
    brokenAssumptions.clear();
    return broken;
  }
}
