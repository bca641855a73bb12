package io.lockstep.client;

import io.lockstep.executor.Executor;
import io.lockstep.machine.ClientId;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.server.wire.Authenticator;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import io.lockstep.voter.Voter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@link LockstepClient}'s Byzantine mode (paper §4, S13): at most t of the 3t+1 replicas lie,
 * so no single answer can be believed.
 *
 * <ul>
 *   <li>Every request goes to <em>every</em> replica, each over its own connection on which the
 *       replica proved its own key ({@link ClientKeys}); every replica answers. With
 *       {@link Transmitter#ONE_REPLICA} (Byzantine replica-uid and real-time only) the request
 *       is signed with the client's key and handed to one replica, which disseminates it; the
 *       others answer it untagged on the client's connection to each, matched here by (client,
 *       sequence), and an attempt time-out without a decision hands the same signed request to
 *       the next replica of the rotation (paper §3.1), which stays the transmitter from then on.
 *       With {@link Transmitter#RELAY} (PBFT) the request carries a MAC authenticator instead
 *       (a tag per replica, made with the key of this client's connection to it) and the
 *       replica it is handed to relays it; an attempt without a decision sends it plainly to
 *       every replica that has not answered, and later requests go through the next replica.
 *   <li>With 2t+1 replicas only (the paper's Byzantine replica-uid scheme, which needs no
 *       more), an ordered request's output is decided by the paper's t+1 identical replies, and
 *       every read goes through the order: the rest of this list is about 3t+1.
 *   <li>An ordered request's output (a write, or a read that fell back to the order) is decided
 *       by 2t+1 identical replies from distinct replicas, not the paper's t+1: t+1 would already
 *       name the correct output, but then a later read's 2t+1 matching answers could all come
 *       from replicas that had not yet executed it (t liars plus t+1 correct replicas that are
 *       behind), a stale read. With 2t+1, at least t+1 correct replicas executed the request
 *       before it completes, and any 2t+1 answers include one of them (PBFT's condition for
 *       its read-only optimization; the simulator's stale-reading replica shows the t+1 rule
 *       fail). A reply counts as the vote of the
 *       replica whose authenticated connection it came on; the replica id written in the reply
 *       is ignored (replaced), so a liar cannot vote as someone else, and a replica's repeated
 *       replies count once.
 *   <li>A read is answered by each replica at its applied state; 2t+1 matching answers decide it
 *       (t+1 of them correct, and any two sets of 2t+1 share a correct replica). Without them
 *       — a read racing writes, or liars — it is resubmitted as an ordered request.
 *   <li>Replicas that have not answered are asked again every attempt time-out, until the
 *       deadline; t silent replicas therefore never stall a request: the 2t+1 correct ones
 *       decide it.
 * </ul>
 *
 * <p>Threads: answers arrive on the client's Netty I/O thread, resends on its timer thread; a
 * call's state is guarded by the call itself.
 */
final class VotingCalls {
  private volatile ClientJournal journal = ClientJournal.OFF;
  private final ClientOptions options;
  private final FrameClient frames;
  private final ScheduledThreadPoolExecutor timer;
  private final java.util.concurrent.Executor completions;
  private final AtomicLong tags;
  private final AtomicLong retries;
  /** Told the configuration version of every reply (paper §7: advisory, it only prompts a poll). */
  private final java.util.function.LongConsumer configVersions;
  private final Map<Long, VotingCall> inFlight = new ConcurrentHashMap<>();
  /**
   * Requests in flight by (client, sequence): a replica that was not handed a request answers
   * it untagged ({@link ClientMessage#UNASKED}), so its reply is matched by these.
   */
  private final Map<RequestKey, VotingCall> byRequest = new ConcurrentHashMap<>();

  private record RequestKey(ClientId client, long sequence) {
    @Override
    public int hashCode() {
      return client.hashWith(sequence); // not the record default, which collides: see there
    }
  }
  /**
   * The replicas voted on and the connection to each, by slot: the ones the client was started
   * with, then those of each configuration learned (paper §7), whose answer was itself 2t+1
   * replicas' ({@link ReplicaBook#follow}).
   */
  private final ReplicaBook book;

  /** Whom requests are handed to, in the one-replica and relay modes. */
  private final Handover handover;

  VotingCalls(ClientOptions options, FrameClient frames, ScheduledThreadPoolExecutor timer,
      java.util.concurrent.Executor completions, AtomicLong tags, AtomicLong retries,
      java.util.function.LongConsumer configVersions) {
    if (options.keys() == null) {
      throw new IllegalArgumentException("a Byzantine-mode client needs keys (ClientKeys): it"
          + " counts each replica's vote by the key the replica proved");
    }
    this.options = options;
    this.frames = frames;
    this.configVersions = configVersions;
    this.timer = timer;
    this.completions = completions;
    this.tags = tags;
    this.retries = retries;
    this.book = new ReplicaBook(options, frames, Answers::new);
    this.handover = new Handover(book);
  }

  /**
   * A configuration learned by a voted poll (2t+1 matching answers, or 2t+1 identical replies
   * to the ordered query: never one replica's word): calls vote among its replicas from now on.
   */
  void follow(io.lockstep.configuration.ClusterConfiguration learned) {
    book.follow(learned);
  }

  /** The client addresses voted on now, as {@code host:port}. */
  List<String> replicaAddresses() {
    return book.active().stream().map(book::address).toList();
  }

  /**
   * Orders {@code request}; completes {@code future} with the output {@link #matching} replicas
   * agree on.
   */
  void submit(Request request, CompletableFuture<byte[]> future) {
    long tag = tags.incrementAndGet();
    List<Integer> slots = book.active();
    Authenticator authenticator = options.transmitter() == Transmitter.RELAY
        ? handover.authenticator(request, slots) : null;
    boolean handed = options.transmitter() == Transmitter.ONE_REPLICA || authenticator != null;
    byte[] payload = ClientCodec.encode(new ClientMessage.Submit(tag, request, true,
        options.transmitter() == Transmitter.ONE_REPLICA
            ? RequestSignature.sign(request, options.keys().privateKey()) : null,
        authenticator));
    // A Voter tolerating k decides on k+1 identical replies (see the class comment).
    VotingCall call = new VotingCall(tag, payload, request,
        new Voter(options.failureModel(), matching() - 1), slots, future);
    if (authenticator != null) {
      call.relayed = true;
    }
    if (handed) {
      call.handedTo = handover.transmitterAmong(call.asked);
    }
    start(call);
  }

  /**
   * Whether answers at the replicas' applied states can decide a read: only with 3t+1 replicas
   * (see the class comment). With 2t+1 (the paper's Byzantine replica-uid scheme) an ordered
   * write may complete on t+1 replies, t of them liars', and then no read quorum that t silent
   * replicas cannot block is sure to hold a correct replica that executed it.
   */
  private boolean unorderedReadsDecidable() {
    return book.active().size() >= 3 * options.t() + 1;
  }

  /**
   * Identical replies that decide an ordered request: 2t+1 with 3t+1 replicas or more (so that
   * reads at applied states can be decided, see the class comment); with fewer, the paper's
   * t+1 (§4), enough to include a correct replica's, which is all that a t-silent cluster of
   * 2t+1 can always give, and sound because every read is then ordered too.
   */
  private int matching() {
    return unorderedReadsDecidable() ? 2 * options.t() + 1 : options.t() + 1;
  }

  /**
   * Reads {@code query} at each replica's applied state; 2t+1 matching answers decide it, else
   * {@code ordered} (the same bytes as an ordered request) does.
   */
  Voted read(ClientId reader, byte[] query, Supplier<CompletableFuture<byte[]>> ordered) {
    long tag = tags.incrementAndGet();
    if (!unorderedReadsDecidable()) {
      return new Voted(tag, ordered.get());
    }
    byte[] payload = ClientCodec.encode(new ClientMessage.Read(tag, reader, query));
    VotingCall call = new VotingCall(tag, payload, null, null, book.active(),
        new CompletableFuture<>());
    call.reader = reader;
    call.orderedFallback = ordered;
    start(call);
    return new Voted(tag, call.future);
  }

  /**
   * A voted read under way: its one wire tag, sent to every replica (each journals the read by
   * it, so a timeline joins the client's attempts, the replicas' reads and the outcome), and its
   * result.
   */
  record Voted(long tag, CompletableFuture<byte[]> result) {}

  private void start(VotingCall call) {
    inFlight.put(call.tag, call);
    RequestKey key = call.request == null ? null
        : new RequestKey(call.request.client(), call.request.sequence());
    if (key != null) {
      byRequest.put(key, call);
    }
    call.future.whenComplete((v, e) -> {
      inFlight.remove(call.tag);
      if (key != null) {
        byRequest.remove(key, call);
      }
      synchronized (call) {
        cancel(call.resend);
        cancel(call.expiry);
      }
    });
    synchronized (call) {
      call.expiry = schedule(() -> expire(call), options.deadline().toNanos());
      call.resend = schedule(() -> resend(call), options.attemptTimeout().toNanos());
    }
    List<Integer> first;
    List<Integer> opening;
    synchronized (call) { // a resend may add slots meanwhile
      first = call.handedTo >= 0 ? List.of(call.handedTo) : List.copyOf(call.asked);
      opening = handover.openAnswerConnections(call);
    }
    for (int slot : first) {
      send(slot, call);
    }
    if (!opening.isEmpty()) {
      // A replica whose connection is still opening (at start, after a reconnect) has no tag
      // in the authenticator, so it would refuse the relayed copy and hold the batch back
      // until fills or a state transfer: it gets the request itself once connected.
      byte[] plain = call.plain();
      opening.forEach(slot -> send(slot, call, plain));
    }
  }

  /** Journals attempts and replies from now on. */
  void journal(ClientJournal clientJournal) {
    this.journal = clientJournal;
  }

  /**
   * Sends the call's payload to slot {@code index}, read when the connection is ready (a resend
   * may have replaced it by the plain request meanwhile).
   */
  private void send(int index, VotingCall call) {
    send(index, call, null);
  }

  /** Sends {@code payload}, or the call's own payload when it is null, to slot {@code index}. */
  private void send(int index, VotingCall call, byte[] payload) {
    book.connection(index).whenComplete((conn, error) -> {
      if (error == null) {
        try {
          if (conn.send(payload != null ? payload : call.payload)) {
            if (call.request != null) {
              journal.attempt(call.request, index);
            } else {
              journal.readAttempt(call.reader, call.tag, index);
            }
          }
        } catch (IllegalArgumentException tooBig) {
          fail(call, new RejectedException("request too large: " + tooBig.getMessage()));
        }
      }
    });
  }

  /**
   * Asks again every replica that has not answered. A read that all but t replicas answered
   * without 2t+1 matching goes to the order instead (waiting longer only waits for replicas that
   * may be faulty and silent).
   */
  private void resend(VotingCall call) {
    if (call.future.isDone()) {
      return;
    }
    retries.incrementAndGet();
    List<Integer> unanswered;
    synchronized (call) {
      if (call.request == null
          && call.reads.answers() >= call.asked.size() - options.t()) {
        call.resend = null;
      }
      unanswered = askAgain(call);
      if (call.request == null && call.resend == null) {
        fallBackLater(call);
        return;
      }
      call.resend = schedule(() -> resend(call), options.attemptTimeout().toNanos());
    }
    for (int slot : unanswered) {
      send(slot, call);
    }
  }

  /** The replicas a resend of {@code call} goes to; called under the call's lock. */
  private List<Integer> askAgain(VotingCall call) {
    // Replicas learned since the call started are asked too: the ones it started with may
    // have been replaced meanwhile (their votes alone would never reach 2t+1).
    book.active().stream().filter(slot -> !call.asked.contains(slot)).forEach(call.asked::add);
    if (call.handedTo >= 0 && call.relayed) {
      // No decision through the relaying replica: every replica that has not answered gets
      // the request itself (it may have relayed to some only), and later requests go
      // through the next replica.
      handover.nextTransmitter(call.asked, call.handedTo);
      call.handedTo = -1;
      // Encoded only now: most relayed requests are decided without a resend.
      call.payload = call.plain();
    }
    if (call.handedTo >= 0) {
      // No decision through this transmitter: the same signed request goes through the next.
      call.handedTo = handover.nextTransmitter(call.asked, call.handedTo);
      return List.of(call.handedTo);
    }
    return call.asked.stream().filter(slot -> !call.answered.contains(slot)).toList();
  }

  private void expire(VotingCall call) {
    String detail = "no " + matching() + " matching answers from distinct replicas within "
        + options.deadline().toMillis()
        + " ms";
    fail(call, call.request != null ? new IndeterminateException(detail)
        : new UnavailableException(detail));
  }

  /** An answer that arrived on the connection of slot {@code index} ({@link ReplicaBook}). */
  void answered(int index, ClientMessage answer) {
    VotingCall call =
        answer.tag() == ClientMessage.UNASKED && answer instanceof ClientMessage.Replied r
            ? byRequest.get(new RequestKey(r.reply().client(), r.reply().sequence()))
            : inFlight.get(answer.tag());
    if (call == null) {
      return;
    }
    synchronized (call) {
      if (!call.asked.contains(index)) {
        return; // a replica this call never asked (one that left the rotation) casts no vote
      }
    }
    if (answer instanceof ClientMessage.Replied r && call.request != null) {
      replied(index, call, r.reply());
    } else if (answer instanceof ClientMessage.ReadResult r && call.request == null) {
      journal.readReceived(call.reader, call.tag, index, r.result().ok());
      readAnswer(index, call, r.result());
    } else if (answer instanceof ClientMessage.Redirect && call.request == null) {
      declined(index, call);
    } else if (answer instanceof ClientMessage.Redirect r && call.request != null) {
      followPrimary(index, call, r.leaderHint());
    }
    // Busy and redirected writes are no votes: that replica is asked again at the next resend.
  }

  /**
   * The replica this write was handed to relayed it but is not the primary, and says which one
   * is ({@code ReplicaLoop}): later requests go to that one, so that they ride with its own
   * pre-prepares instead of crossing the network once more (a client's transmitter otherwise
   * stays wherever its last failed attempt left it, after a view change too). Only the replica
   * the request was handed to is heeded; a faulty one that names a replica which drops what it
   * is handed costs one attempt, after which the rotation moves on as usual.
   */
  private void followPrimary(int index, VotingCall call, int primary) {
    List<Integer> asked;
    synchronized (call) {
      if (!call.relayed || call.handedTo != index) {
        return;
      }
      asked = List.copyOf(call.asked); // a resend may add to it meanwhile, under the lock
    }
    handover.follow(asked, index, primary);
  }

  /**
   * A replica redirected a read: it answers reads only through the order (a PBFT replica whose
   * replica set can change, as answers from two replica sets could combine into a stale read).
   * Asking it again would get the same answer; once too few replicas are left to give 2t+1
   * matching answers, the read goes to the order at once instead of waiting for the deadline.
   */
  private void declined(int index, VotingCall call) {
    boolean hopeless;
    synchronized (call) {
      call.answered.add(index);
      call.reads.decline(index);
      hopeless = call.reads.hopeless(call.asked.size(), 2 * options.t() + 1);
    }
    if (hopeless) {
      fallBack(call);
    }
  }

  private void replied(int index, VotingCall call, Reply reply) {
    if (!reply.client().equals(call.request.client())
        || reply.sequence() != call.request.sequence()) {
      return;
    }
    if (reply.status() == Reply.Status.REJECTED && Executor.windowFull(reply.reason())) {
      return; // not run and not kept: asked again at the next resend
    }
    // The vote is the connection's replica, whatever the reply says about itself.
    Reply vote = new Reply(reply.client(), reply.sequence(), reply.status(), reply.value(),
        reply.reason(), reply.position(), book.replica(index));
    java.util.Optional<Reply> decided;
    synchronized (call) {
      call.answered.add(index);
      decided = call.voter.offer(vote);
    }
    decided.ifPresent(d -> {
      if (d.status() == Reply.Status.OK) {
        succeed(call, d.value());
      } else if (d.reason().equals(Executor.DUPLICATE)) {
        fail(call, new IndeterminateException(
            "the request was applied but its reply was lost to a newer request's"));
      } else {
        fail(call, new RejectedException(d.reason()));
      }
    });
  }

  private void readAnswer(int index, VotingCall call, QueryResult result) {
    int needed = 2 * options.t() + 1;
    QueryResult decided;
    boolean hopeless;
    synchronized (call) {
      call.answered.add(index);
      call.reads.answer(index, result);
      decided = call.reads.decided(needed);
      hopeless = call.reads.hopeless(call.asked.size(), needed);
    }
    if (decided != null) {
      if (decided.ok()) {
        succeed(call, decided.value());
      } else {
        fail(call, new RejectedException(decided.reason()));
      }
    } else if (hopeless) {
      fallBack(call);
    }
  }

  private void fallBackLater(VotingCall call) {
    schedule(() -> fallBack(call), 0);
  }

  /** No 2t+1 matching read answers: the read goes through the order like a write. */
  private void fallBack(VotingCall call) {
    Supplier<CompletableFuture<byte[]>> ordered;
    synchronized (call) {
      ordered = call.orderedFallback;
      call.orderedFallback = null;
    }
    if (ordered == null || call.future.isDone()) {
      return;
    }
    inFlight.remove(call.tag);
    synchronized (call) {
      cancel(call.expiry);
    }
    ordered.get().whenComplete((value, error) -> {
      if (error == null) {
        succeed(call, value);
      } else {
        fail(call, error instanceof java.util.concurrent.CompletionException c
            && c.getCause() != null ? c.getCause() : error);
      }
    });
  }

  private ScheduledFuture<?> schedule(Runnable task, long nanos) {
    try {
      return timer.schedule(task, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      return null;
    }
  }

  private static void cancel(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void succeed(VotingCall call, byte[] value) {
    run(() -> call.future.complete(value));
  }

  private void fail(VotingCall call, Throwable error) {
    run(() -> call.future.completeExceptionally(error));
  }

  private void run(Runnable completion) {
    if (completions != null) {
      completions.execute(completion);
    } else {
      completion.run();
    }
  }

  /** Fails every call still waiting (the client is closing). */
  void close() {
    for (VotingCall call : List.copyOf(inFlight.values())) {
      expire(call);
    }
  }

  /** Answers on the connection to replica {@code index}: that replica's votes. */
  private final class Answers implements FrameHandler {
    private final int index;

    Answers(int index) {
      this.index = index;
    }

    @Override
    public void onFrame(FrameConnection connection, byte[] payload) {
      try {
        ClientMessage answer = ClientCodec.decode(payload);
        if (answer instanceof ClientMessage.Replied r) {
          journal.received(r.reply(), index);
          configVersions.accept(r.reply().configVersion());
        }
        answered(index, answer);
      } catch (CodecException | IllegalArgumentException malformed) {
        // A replica sending garbage is faulty: it loses its connection, not the client's calls.
        connection.close();
      }
    }
  }
}
