package io.lockstep.server;

import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import io.lockstep.replica.Replica;
import io.lockstep.replica.Step;
import io.lockstep.storage.GroupCommitLog;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Carries out one batch of the loop's effects in {@link Ready}'s order: the storage writes go to
 * the {@link GroupCommitLog} as one submission, and the batch's messages and client answers are
 * released by that submission's durability callback (durability before visibility, see
 * {@link ReplicaLoop}). A message the protocol lets leave early (parallel leader appends), and
 * answers the protocol says need not wait, go at once; a batch without writes is released at
 * once only while no submission is in flight, so outputs never overtake earlier ones.
 *
 * <p>Separate from {@link ReplicaLoop} because the loop decides <em>what</em> a batch holds
 * (steps, pending questions, their answers) while this class alone decides <em>when</em> each
 * part becomes visible; the release runs partly on the log thread, and keeping it here keeps
 * that thread's share of the work in one place. Only the loop thread adds to and flushes a
 * batch.
 */
final class BatchRelease {
  /** Logged under the loop's name: operators filter these events by it. */
  private static final System.Logger LOG = System.getLogger(ReplicaLoop.class.getName());

  private final Replica replica;
  private final PeerPayloads payloadsOf;
  private final GroupCommitLog log;
  private final ServerMetrics metrics;
  private final boolean answersWaitForSync;
  private final Supplier<ReplicaLoop.PeerSender> peers;
  /** Relays requests clients handed here (null: none); see {@link #relay}. */
  private RequestRelay relay;
  private final Supplier<ServerJournal> journal;
  private final Consumer<Step.Persisted> durable;
  private final Consumer<Input.EntriesRead> readBack;
  private final List<Ready.EntriesWanted> reads = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<StorageWrite> writes = new ArrayList<>();
  private final List<Ready.Outbound> messages = new ArrayList<>();
  private final List<Runnable> answers = new ArrayList<>();
  private int entries;

  /**
   * @param peers the loop's current peer sender (read at each send: it is set after start)
   * @param journal the loop's current journal (read at each use, for the same reason)
   * @param durable told, on the log thread, of the last entry a submission made durable
   * @param readBack told, on the log thread, of each read of stored entries the protocol asked
   */
  BatchRelease(Replica replica, ProtocolCodec codec, GroupCommitLog log, ServerMetrics metrics,
      Supplier<ReplicaLoop.PeerSender> peers, Supplier<ServerJournal> journal,
      Consumer<Step.Persisted> durable, Consumer<Input.EntriesRead> readBack) {
    this.replica = replica;
    this.payloadsOf = new PeerPayloads(codec);
    this.log = log;
    this.metrics = metrics;
    this.answersWaitForSync = !replica.mayAnswerBeforeDurable();
    this.peers = peers;
    this.journal = journal;
    this.durable = durable;
    this.readBack = readBack;
  }

  /**
   * Adds a read of stored entries the protocol asked for: queued on the log after the batch's
   * writes, which it must see.
   */
  void read(Ready.EntriesWanted read) {
    reads.add(read);
  }

  /** Adds a storage write to the batch, counting its entries for the group-commit metrics. */
  void write(StorageWrite write) {
    writes.add(write);
    if (write instanceof StorageWrite.Append a) {
      entries += a.entries().size();
    }
  }

  void messages(List<Ready.Outbound> outbound) {
    messages.addAll(outbound);
  }

  /** Adds a client answer, released with the batch. */
  void answer(Runnable answer) {
    answers.add(answer);
  }

  /**
   * Sends the requests {@code requestRelay} holds each turn in the frame of the turn's first
   * message to each replica, the rest alone at the end of the turn (set before the loop starts).
   */
  void relay(RequestRelay requestRelay) {
    this.relay = requestRelay;
  }

  /** {@code payload} to {@code to}, with the requests relayed to it this turn if any. */
  private byte[] withRelayed(int to, byte[] payload) {
    return relay == null ? payload : relay.attach(to, payload);
  }

  /** Hands the batch to the log, or releases it at once when it needs no fsync. */
  void flush() {
    flushMessages();
    if (relay != null) {
      relay.flush(peers.get()); // the replicas this turn sent no message to
    }
  }

  private void flushMessages() {
    if (writes.isEmpty() && messages.isEmpty() && answers.isEmpty()) {
      submitReads();
      return;
    }
    boolean now = writes.isEmpty() && inFlight.get() == 0;
    List<byte[]> payloads = new ArrayList<>(messages.size());
    List<Integer> targetList = new ArrayList<>(messages.size());
    List<ProtocolMessage> later = new ArrayList<>(messages.size());
    for (Ready.Outbound out : messages) {
      ProtocolMessage message = out.message();
      journal.get().sent(out.to(), message);
      if (!now && replica.mayLeaveBeforeDurable(message)) {
        // e.g. Raft §10.2.1: before our fsync
        send(out.to(), withRelayed(out.to(), payloadsOf.of(message)), message);
      } else {
        targetList.add(out.to());
        payloads.add(withRelayed(out.to(), payloadsOf.of(message)));
        later.add(message);
      }
    }
    int[] targets = targetList.stream().mapToInt(Integer::intValue).toArray();
    List<Runnable> released = List.copyOf(answers);
    if (!now && !answersWaitForSync) {
      released.forEach(BatchRelease::run);
    }
    Runnable release = () -> {
      for (int i = 0; i < targets.length; i++) {
        send(targets[i], payloads.get(i), later.get(i));
      }
      if (now || answersWaitForSync) {
        released.forEach(BatchRelease::run);
      }
    };
    if (now) {
      release.run();
    } else {
      submitToLog(release);
    }
    writes.clear();
    messages.clear();
    answers.clear();
    payloadsOf.clear();
    entries = 0;
    submitReads();
  }

  private void submitReads() {
    for (Ready.EntriesWanted r : reads) {
      log.read(r.from(), r.to(), r.maxBytes(), outcome -> readBack.accept(
          outcome.failure() != null ? Input.EntriesRead.failed(r.readId(), outcome.failure())
              : new Input.EntriesRead(r.readId(), outcome.entries(), null)));
    }
    reads.clear();
  }

  /**
   * Runs on the log thread too: a message that cannot be sent is dropped and counted (Raft
   * retransmits), never thrown, as an exception there would stop the log.
   */
  private void send(int to, byte[] payload, ProtocolMessage message) {
    try {
      if (!peers.get().send(to, payload, replica.resentIfLost(message))) {
        metrics.peerDropped("send queue full or peer down");
        journal.get().unsent(to, message, "send queue full or peer down");
      }
    } catch (RuntimeException e) {
      metrics.peerDropped("unsendable");
      journal.get().unsent(to, message, "unsendable");
      LOG.log(Level.WARNING, "event=peer_message_unsendable to=" + to + " bytes="
          + payload.length + " reason=\"" + e.getMessage() + "\"");
    }
  }

  private static void run(Runnable answer) {
    try {
      answer.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "event=client_answer_failed reason=\"" + e + "\"");
    }
  }

  private void submitToLog(Runnable release) {
    long submitted = System.nanoTime();
    metrics.groupSubmitted(entries);
    inFlight.incrementAndGet();
    // Reported whether or not the protocol sends early: it is told only what is true.
    Step.Persisted report = Replica.lastAppended(writes).orElse(null);
    log.submit(List.copyOf(writes), () -> {
      metrics.durable(System.nanoTime() - submitted);
      try {
        release.run();
      } finally {
        inFlight.decrementAndGet();
        if (report != null) {
          durable.accept(report);
        }
      }
    });
  }
}
