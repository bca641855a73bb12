package io.lockstep.client;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.executor.Executor;
import io.lockstep.journal.Event;
import io.lockstep.machine.ClientId;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Request;
import io.lockstep.server.SessionWindow;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import io.lockstep.voter.Voter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Java client of a Lockstep cluster: one client session (a {@link ClientId})
 * whose requests are numbered 1, 2, 3… in issue order (O1).
 *
 * <p>It sends each request to the replica it believes leads and follows redirect hints
 * ({@link LeaderCalls}). After an attempt times out, the connection drops, or the replica is
 * busy, it retries <em>the same</em> (client, sequence) — at another replica if need be — so
 * the executor's session runs it at most
 * once and answers a retry of a request that already ran from its cache (X4). Replies pass
 * through the paper's voter ({@link Voter}, S13: the first reply under fail-stop). A write
 * without an outcome by the deadline fails with {@link IndeterminateException}, never with a
 * plain failure (the write may still commit); a refused one with {@link RejectedException}.
 *
 * <p>Many requests may be in flight at once. The executor caches the replies of a session's
 * latest 64 requests, so a retry of an older request after many newer ones ran can only learn
 * that it ran: it completes with {@link IndeterminateException} saying the reply was lost.
 *
 * <p>"Busy" is never final: a replica whose queue or byte budget is full, or whose executor
 * refuses a request because too many of the session's requests already wait for an earlier
 * one ({@link Executor#WINDOW_FULL}), did not run it, so the same request is retried with a
 * growing back-off (20 ms doubling to 320 ms, with jitter) until the deadline. At most
 * {@link SessionWindow#LIMIT} requests of one session are in flight; later ones wait in the
 * client, numbered, and their deadline starts when they are sent.
 *
 * <p>In the Byzantine model requests go to every
 * replica and are voted on instead ({@link VotingCalls}: 2t+1 identical replies for writes, 2t+1
 * matching answers for reads, each replica's vote taken from the key its connection proved).
 *
 * <p>Replies carry the version of the configuration they were made in (paper §7); a newer
 * one makes the client poll for the configuration in the background ({@link #configuration}).
 * When the configuration it learns records the addresses of replicas an operator added, or no
 * longer names replicas it used, it sends to the new ones and leaves the removed ones without
 * a restart ({@link ReplicaBook}; in the Byzantine mode the configuration is learned by a
 * voted poll, 2t+1 replicas' answer, and the voting calls follow its replica set, pending
 * changes included).
 * A replica of an earlier build, which does not read this client's requests, closes the
 * connection (upgrade replicas before clients).
 *
 * <p>Threads: one Netty I/O thread and one timer thread. Futures complete on the executor given
 * to {@link #connect(ClientOptions, java.util.concurrent.Executor)}, or else directly on those
 * threads (cheapest; keep dependent stages short or continue with {@code …Async(fn, executor)}
 * — on 2 cores the common pool has a single thread).
 */
public final class LockstepClient implements ClientSession, AutoCloseable {
  private final ClientOptions options;
  private final FrameClient frames;
  private final ScheduledThreadPoolExecutor timer;
  private final AtomicLong sequence = new AtomicLong();
  private final SessionWindow window = new SessionWindow();
  private final AtomicLong tags = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  /** The replicas' addresses by slot and the connections; follows the configuration. */
  private final ReplicaBook book;
  /** Fail-stop: each request to the replica believed to lead (the Byzantine mode votes). */
  private final LeaderCalls leaderCalls;
  /** Byzantine mode: every request to every replica, voted on; null under fail-stop. */
  private final VotingCalls votes;
  private volatile ClientJournal journal = ClientJournal.OFF;
  /** Paper §7: the configuration, learned from the version in replies and by polling. */
  private final ConfigurationWatch configuration;
  /** Reads from one replica (paper §3, fail-stop only), and the positions they must reach. */
  private final OneReplicaReads oneReplica;

  private LockstepClient(ClientOptions options, java.util.concurrent.Executor completions) {
    this.options = options;
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(io.lockstep.server.ReplicaServer.CLIENT_MAX_PAYLOAD);
    String id = options.clientId().value();
    this.frames = new FrameClient(options.keys() != null
        ? ClientConfig.keyed(options.cluster(), id, options.keys().privateKey(), net)
        : options.secret() == null ? ClientConfig.unauthenticated(options.cluster(), id, net)
        : ClientConfig.authenticated(options.cluster(), id, options.secret(), net));
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "lockstep-client-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    this.book = new ReplicaBook(options, frames, Answers::new);
    this.configuration = new ConfigurationWatch(this::query);
    configuration.onChange(this::follow);
    this.votes = options.failureModel() == FailureModel.BYZANTINE
        ? new VotingCalls(options, frames, timer, completions, tags, retries,
            configuration::seen) : null;
    this.oneReplica = new OneReplicaReads(options, book, timer, tags, retries, completions);
    this.leaderCalls = new LeaderCalls(options, book, timer, completions, tags, retries,
        oneReplica::reached);
  }

  /** Creates a client; connections open lazily, on the first request. */
  public static LockstepClient connect(ClientOptions options) {
    return new LockstepClient(java.util.Objects.requireNonNull(options, "options"), null);
  }

  /** Creates a client whose futures complete on {@code completions}. */
  public static LockstepClient connect(ClientOptions options,
      java.util.concurrent.Executor completions) {
    return new LockstepClient(java.util.Objects.requireNonNull(options, "options"),
        java.util.Objects.requireNonNull(completions, "completions"));
  }

  /**
   * Keeps this client's own event journal in {@code clientJournal} from now on (invocations,
   * attempts to replicas, replies, outcomes; see {@link ClientJournal}); {@link #close} closes
   * it.
   */
  public LockstepClient journal(ClientJournal clientJournal) {
    this.journal = java.util.Objects.requireNonNull(clientJournal, "clientJournal");
    if (votes != null) {
      votes.journal(clientJournal);
    }
    leaderCalls.journal(clientJournal);
    return this;
  }

  /** This client's own session identity. */
  @Override
  public ClientId clientId() {
    return options.clientId();
  }

  /** Orders and applies {@code command}; completes with the state machine's output. */
  @Override
  public CompletableFuture<byte[]> submit(byte[] command) {
    return submit(options.clientId(), sequence, window, command);
  }

  /**
   * A linearizable read-only query (served through the leader, ReadIndex); with {@link
   * ClientOptions#oneReplicaReads} a {@link #readOneReplica} instead.
   */
  @Override
  public CompletableFuture<byte[]> query(byte[] query) {
    return query(options.clientId(), sequence, window, query);
  }

  /**
   * A read-only query answered by one replica alone from its applied state, with no protocol
   * round (paper §3, fail-stop): possibly stale, but never older than a reply or one-replica
   * answer this client received before, and never reflecting a request that is not stable
   * ({@link OneReplicaReads}). Fails with {@link RejectedException} in the Byzantine model or
   * when the machine refuses the query, with {@link UnavailableException} past the deadline.
   */
  public CompletableFuture<OneReplicaAnswer> readOneReplica(byte[] query) {
    return oneReplica.read(options.clientId(), query.clone());
  }

  /** The highest position of a reply or one-replica answer this client got; 0 before any. */
  public long positionSeen() {
    return oneReplica.seen();
  }

  /**
   * Another client session (its own {@link ClientId} and sequence numbers, paper §2) over this
   * client's connections and threads: many sessions are cheap, many clients are not. Its id is
   * this client's id, a slash and a random suffix, so a cluster with per-client authentication
   * accepts it as this client's (X5).
   *
   * @throws IllegalStateException if this client's id is too long to extend
   */
  public ClientSession newSession() {
    String suffix = java.util.UUID.randomUUID().toString();
    String id = options.clientId().value() + "/" + suffix;
    if (id.length() > ClientId.MAX_LENGTH) {
      throw new IllegalStateException("client id " + options.clientId() + " is too long for"
          + " sessions of its own: keep it under " + (ClientId.MAX_LENGTH - suffix.length() - 1)
          + " characters, or name each session with newSession(ClientId)");
    }
    return newSession(ClientId.of(id));
  }

  /** A session with a chosen identity; it must not be in use by anyone else. */
  public ClientSession newSession(ClientId id) {
    java.util.Objects.requireNonNull(id, "id");
    AtomicLong sessionSequence = new AtomicLong();
    SessionWindow sessionWindow = new SessionWindow();
    return new ClientSession() {
      @Override
      public ClientId clientId() {
        return id;
      }

      @Override
      public CompletableFuture<byte[]> submit(byte[] command) {
        return LockstepClient.this.submit(id, sessionSequence, sessionWindow, command);
      }

      @Override
      public CompletableFuture<byte[]> query(byte[] query) {
        return LockstepClient.this.query(id, sessionSequence, sessionWindow, query);
      }
    };
  }

  /**
   * Numbers the request now (issue order, O1) but sends it only when its session's window has
   * room ({@link SessionWindow}); its deadline counts from then.
   */
  private CompletableFuture<byte[]> submit(ClientId id, AtomicLong numbers, SessionWindow window,
      byte[] command) {
    Request request = Request.command(id, numbers.incrementAndGet(), command.clone());
    ClientJournal j = journal;
    j.invoke(request);
    if (votes != null) {
      CompletableFuture<byte[]> future = new CompletableFuture<>();
      future.whenComplete((value, error) -> {
        window.completed();
        j.outcome(id, request.sequence(), error);
      });
      window.admit(() -> votes.submit(request, future));
      return future;
    }
    ClientCall call = leaderCalls.newCall(request, null, null);
    call.window = window;
    call.future.whenComplete((value, error) -> {
      window.completed();
      j.outcome(id, request.sequence(), error);
    });
    window.admit(() -> leaderCalls.start(call));
    return call.future;
  }

  /**
   * A read; in Byzantine mode one without 2t+1 matching answers is resubmitted as an ordered
   * command with the same bytes in the reader's session, so the state machine's {@code apply}
   * must accept its queries (the Redis store's does).
   */
  private CompletableFuture<byte[]> query(ClientId id, AtomicLong numbers, SessionWindow window,
      byte[] query) {
    if (query.length > Request.MAX_COMMAND_BYTES) {
      throw new IllegalArgumentException("query is " + query.length + " bytes, the limit is "
          + Request.MAX_COMMAND_BYTES);
    }
    if (options.oneReplicaReads()) {
      // Not journaled: the journal's histories are checked for linearizability, which these
      // reads do not promise.
      return oneReplica.read(id, query.clone()).thenApply(OneReplicaAnswer::value);
    }
    ClientJournal j = journal;
    j.invokeRead(id, query.length);
    // With a journal, the caller gets the result only after its outcome is journaled: a read is
    // matched to its invocation by its session alone (one read at a time), so the session's next
    // invocation must not be stamped before this outcome.
    if (votes != null) {
      byte[] copy = query.clone();
      VotingCalls.Voted voted = votes.read(id, copy, () -> submit(id, numbers, window, copy));
      // Named by the read's one tag, which every replica that took it journaled.
      return !j.on() ? voted.result() : voted.result().whenComplete((value, error) ->
          j.outcome(id, Event.NONE, voted.tag(), error));
    }
    ClientCall call = leaderCalls.newCall(null, id, query.clone());
    CompletableFuture<byte[]> result = leaderCalls.start(call);
    // Named by the attempt that answered, as the replica that answered journaled it.
    return !j.on() ? result
        : result.whenComplete((value, error) -> j.outcome(id, Event.NONE, call.answeredTag,
            error));
  }

  /**
   * The newest configuration this client learned (paper §7): clients, devices and the replica
   * set as the replicas hold them. Replies carry the configuration's version; when one is
   * newer than this, the client polls for the configuration in the background, so this is
   * {@link ClusterConfiguration#INITIAL} until a change was made and a reply told of it.
   */
  public ClusterConfiguration configuration() {
    return configuration.known();
  }

  /** The highest configuration version a reply to this client carried. */
  public long configVersionSeen() {
    return configuration.seenVersion();
  }

  /** Calls {@code listener} (on a client thread) with each newer configuration learned. */
  public void onConfiguration(java.util.function.Consumer<ClusterConfiguration> listener) {
    configuration.onChange(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /**
   * A newer configuration was learned: send to the replicas it names from now on (a replica
   * added by an operator with its addresses is used without a restart; a removed one is left).
   */
  private void follow(ClusterConfiguration learned) {
    if (votes != null) {
      votes.follow(learned); // learned by a voted poll: 2t+1 replicas' answer
    } else if (book.follow(learned)) {
      leaderCalls.replicasChanged();
    }
  }

  /** The client addresses this client sends to now, as {@code host:port}. */
  public List<String> replicaAddresses() {
    return votes != null ? votes.replicaAddresses()
        : book.active().stream().map(book::address).toList();
  }

  /** Attempts made beyond each request's first (retries after timeouts, redirects, busy). */
  public long retries() {
    return retries.get();
  }

  /** Waits for a future of this client, unwrapping its {@link LockstepException}. */
  static byte[] await(CompletableFuture<byte[]> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /** Closes every connection; requests still in flight fail as indeterminate or unavailable. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (votes != null) {
        votes.close();
      }
      oneReplica.close();
      leaderCalls.close();
      frames.close();
    } finally {
      // After the calls in flight ended, so their outcomes are in it.
      journal.close();
    }
  }

  /** Answers on the connection of slot {@code index} ({@link ReplicaBook}). */
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
          configuration.seen(r.reply().configVersion());
        } else if (answer instanceof ClientMessage.ReadResult r) {
          leaderCalls.readReceived(r.tag(), index, r.result().ok());
        }
        if (!oneReplica.answered(answer)) {
          leaderCalls.answered(answer);
        }
      } catch (CodecException e) {
        connection.close();
      }
    }

    @Override
    public void onClose(FrameConnection connection) {
      oneReplica.closed(index);
      leaderCalls.closed(index);
    }
  }
}
