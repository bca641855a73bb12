package io.lockstep.server;

import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.machine.ClientId;
import io.lockstep.replica.LocalRead;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The replica's client port handler: decodes {@link ClientMessage}s on the Netty I/O thread and
 * enqueues them for the loop; answers go back on the same connection with the question's tag. A
 * frame that does not decode, or an answer sent by a client, is dropped, counted and logged with
 * the reason, and the connection is closed (bad input changes nothing). With per-client
 * authentication, a request in the name of another client is refused with a clear reason and logged
 * (X5, S17: commands see who really asks). System commands (paper §7) are taken only from an
 * operator, whatever the port's client authentication: see {@link #unsignedSystemCommand}
 * and {@link #systemCommand}. Each connection's questions waiting for the loop are
 * bounded in bytes ({@link ConnectionBudget}); past the budget a question is answered busy, which
 * clients retry, and nothing else happens.
 */
final class ClientPort implements FrameHandler {
  private static final System.Logger LOG = System.getLogger(ClientPort.class.getName());

  private final ClientIntake loop;
  private final ServerMetrics metrics;
  private final boolean bindIdentity;
  private final long connectionBytes;
  private final long expiryNanos;
  private final Map<FrameConnection, ConnectionBudget> budgets = new ConcurrentHashMap<>();
  /** Connections on which a client proved its own key, by its id: where replies are pushed. */
  private final Map<String, Set<FrameConnection>> keyedClients = new ConcurrentHashMap<>();
  private volatile OperatorAuth operators;
  private volatile Supplier<List<ClientMessage.BookEntry>> addressBook;
  private volatile Consumer<SignatureClaim> signedRequests = claim -> { };

  /**
   * @param bindIdentity with per-client authentication: a connection may only issue requests as
   *     the client id it proved, or as {@code id/…} (its extra sessions); a replica's forwarder
   *     may issue any (it carries the Redis sessions of its replica)
   * @param connectionBytes most bytes of one connection's questions waiting for the loop; past
   *     it they are answered busy (retryable)
   * @param requestTimeoutMillis after twice this, a question never taken no longer counts
   */
  ClientPort(ClientIntake loop, ServerMetrics metrics, boolean bindIdentity, long connectionBytes,
      long requestTimeoutMillis) {
    this.loop = loop;
    this.metrics = metrics;
    this.bindIdentity = bindIdentity;
    this.connectionBytes = connectionBytes;
    this.expiryNanos = 2 * requestTimeoutMillis * 1_000_000L;
  }

  /** Accepts membership commands signed with this operator key (none are accepted without). */
  ClientPort operators(OperatorAuth auth) {
    this.operators = auth;
    return this;
  }

  /**
   * Answers {@link ClientMessage.AddressBookAsk} from {@code book} (read on the I/O thread, so
   * it must be safe to call from any thread); without it the question is answered busy.
   */
  ClientPort addressBook(Supplier<List<ClientMessage.BookEntry>> book) {
    this.addressBook = book;
    return this;
  }

  /**
   * Hands the claim of each client-signed request this port takes to {@code precheck} (the
   * replica's verification pool) as the request goes to the loop: the order verifies the
   * signature only once the batch carrying the request is decided, rounds later, and then finds
   * the verdict instead of running Ed25519 on the loop thread. Without it, nothing is claimed.
   */
  ClientPort signedRequests(Consumer<SignatureClaim> precheck) {
    this.signedRequests = precheck;
    return this;
  }

  @Override
  public void onOpen(FrameConnection connection) {
    budgets.put(connection, new ConnectionBudget(connectionBytes, expiryNanos));
    if (connection.keyAuthenticated() && connection.remoteId() != null) {
      keyedClients.computeIfAbsent(connection.remoteId(), id -> ConcurrentHashMap.newKeySet())
          .add(connection);
    }
  }

  @Override
  public void onClose(FrameConnection connection) {
    budgets.remove(connection);
    if (connection.remoteId() != null) {
      keyedClients.computeIfPresent(connection.remoteId(), (id, open) -> {
        open.remove(connection);
        return open.isEmpty() ? null : open;
      });
    }
  }

  /**
   * Sends {@code reply}, which no question on this replica waits for, on every connection where
   * its client proved its own key, tagged {@link ClientMessage#UNASKED}: the client hands its
   * signed request to one replica and votes on the replies of all (paper §4), matching them by
   * (client, sequence). Only a proved key makes the connection the client's own; a secret or no
   * authentication proves nothing that would keep the reply from another client. Unversioned,
   * as earlier clients read it; they ignore a tag they never sent.
   */
  void pushReply(Reply reply) {
    Set<FrameConnection> open = keyedConnections(reply.client());
    if (open == null) {
      return;
    }
    byte[] payload = ClientCodec.encode(new ClientMessage.Replied(ClientMessage.UNASKED,
        new Reply(reply.client(), reply.sequence(), reply.status(), reply.value(),
            reply.reason(), reply.position(), reply.replica(), 0)));
    for (FrameConnection connection : open) {
      try {
        connection.send(payload); // a full or closed connection drops it: the client resends
      } catch (IllegalArgumentException tooBig) {
        LOG.log(Level.WARNING, "event=reply_not_pushed client=" + reply.client() + " sequence="
            + reply.sequence() + " reason=\"" + tooBig.getMessage() + "\"");
      }
    }
  }

  /** The connections where {@code client}'s own client proved its key, or null. */
  private Set<FrameConnection> keyedConnections(ClientId client) {
    String id = client.value();
    int slash = id.indexOf('/');
    // A session id/… is its client's (the connection that proved id may act as it).
    return keyedClients.get(slash > 0 ? id.substring(0, slash) : id);
  }

  /**
   * Whether {@code tag} over {@code bytes} was made with the authenticator key of a connection
   * on which {@code sender}'s client proved its own key here ({@link RequestRelay}: only that
   * client and this replica know the key). Any thread.
   */
  boolean authenticates(ClientId sender, byte[] bytes, byte[] tag) {
    Set<FrameConnection> open = keyedConnections(sender);
    if (open == null) {
      return false;
    }
    for (FrameConnection connection : open) {
      io.lockstep.net.AuthenticatorKey key = connection.authenticatorKey();
      if (key != null && key.matches(bytes, tag)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void onFrame(FrameConnection connection, byte[] payload) {
    ClientMessage message;
    try {
      message = ClientCodec.decode(payload);
    } catch (CodecException e) {
      refuse(connection, "undecodable frame: " + e.getMessage());
      return;
    }
    if (JoinerId.isJoiner(connection.remoteId())
        && !(message instanceof ClientMessage.AddressBookAsk)) {
      // In the Byzantine model this identity is admitted by a recorded machine's replica key,
      // which the operator gave for joining, not for ordering requests: only the book is read.
      refuse(connection, "client '" + connection.remoteId() + "' is a joining machine: it may"
          + " only ask for the address book, not send " + message.getClass().getSimpleName());
      return;
    }
    if (message instanceof ClientMessage.Member m) {
      member(connection, m);
    } else if (message instanceof ClientMessage.AddressBookAsk a) {
      answerAddressBook(connection, a);
    } else if (message instanceof ClientMessage.Submit || message instanceof ClientMessage.Read
        || message instanceof ClientMessage.ReadOneReplica
        || message instanceof ClientMessage.Admin) {
      ConnectionBudget budget = budgets.computeIfAbsent(connection,
          c -> new ConnectionBudget(connectionBytes, expiryNanos));
      ConnectionOrigin origin = new ConnectionOrigin(connection, message.tag(), budget,
          message instanceof ClientMessage.Submit s && s.learnsConfiguration()
              || message instanceof ClientMessage.Admin);
      if (!budget.charge(message.tag(), payload.length, System.nanoTime())) {
        metrics.budgetRefused(ServerMetrics.CLIENT_CONNECTION_BYTES);
        origin.busy("this connection's requests waiting for the replica hold more than " + budget.limit()
            + " bytes; retry after some are answered");
        return;
      }
      if (message instanceof ClientMessage.Admin a) {
        systemCommand(connection, a, origin);
      } else {
        question(connection, message, origin);
      }
    } else {
      refuse(connection, "a client sent an answer (" + message.getClass().getSimpleName() + ")");
    }
  }

  private void question(FrameConnection connection, ClientMessage message,
      ConnectionOrigin origin) {
    if (message instanceof ClientMessage.Submit s) {
      // A replicated client's copy (paper §5.1) is bound to the client replica that sent it:
      // the executor counts copies by copyFrom, so that is the id the connection must have proved.
      ClientId sender = s.request().copyFrom() != null ? s.request().copyFrom()
          : s.request().client();
      if (SystemCommands.isAdmin(s.request().client()) || SystemCommands.isAdmin(sender)) {
        unsignedSystemCommand(connection, s.request(), origin);
      } else if (mayActAs(connection, sender)) {
        byte[] signature = s.clientSignature();
        if (signature != null && signature.length == RequestSignature.LENGTH) {
          signedRequests.accept(SignatureClaim.ofRequest(s.request(), signature));
        }
        if (s.authenticator() != null && connection.keyAuthenticated()) {
          loop.offerToRelay(s.request(), s.authenticator(), origin);
        } else {
          loop.offerSubmit(s.request(), signature, origin);
        }
      } else {
        impersonation(connection, sender);
        origin.replied(new Reply(s.request().client(), s.request().sequence(),
            Reply.Status.REJECTED, new byte[0], notYours(connection, sender), 0, 0));
      }
    } else if (message instanceof ClientMessage.Read r) {
      if (mayActAs(connection, r.client())) {
        loop.offerRead(r.client(), r.query(), origin);
      } else {
        impersonation(connection, r.client());
        origin.readResult(
            new QueryResult(r.tag(), false, new byte[0], notYours(connection, r.client())));
      }
    } else if (message instanceof ClientMessage.ReadOneReplica r) {
      if (mayActAs(connection, r.client())) {
        readOneReplica(r, origin);
      } else {
        impersonation(connection, r.client());
        origin.oneReplica(new LocalRead(false, false, new byte[0],
            notYours(connection, r.client()), 0), loop.status().id());
      }
    }
  }

  /**
   * A read this replica answers alone from its applied state (paper §3 relaxation): no protocol
   * round, so a follower answers too and nothing is redirected. The replica refuses it under
   * the Byzantine model and while behind {@code minPosition}; a full loop queue answers busy.
   */
  private void readOneReplica(ClientMessage.ReadOneReplica r, ConnectionOrigin origin) {
    loop.offerReadOneReplica(r.client(), r.query(), r.minPosition())
        .whenComplete((read, error) -> {
          if (error != null) {
            origin.busy(error.getMessage() == null ? error.toString() : error.getMessage());
          } else {
            origin.oneReplica(read, loop.status().id());
          }
        });
  }

  /**
   * A request in the administrator's name over the ordinary path. A shared client secret, or
   * none, proves no identity, so every client could otherwise issue system commands; the
   * administrator's requests are therefore taken only from a connection that proved the key
   * of client {@code lockstep:admin} in the cluster file, or from another replica that already
   * checked them (its forwarder). Anything else is refused with the reason, counted and
   * logged, and nothing is ordered.
   */
  private void unsignedSystemCommand(FrameConnection connection, Request request,
      ConnectionOrigin origin) {
    String proved = connection.remoteId();
    boolean operator = proved != null && (proved.startsWith(ClusterConfig.FORWARDER_PREFIX)
        || connection.keyAuthenticated() && (proved.equals(SystemCommands.ADMIN.value())
            || proved.startsWith(SystemCommands.ADMIN_SESSION_PREFIX))
            && mayActAs(connection, request.client()));
    if (operator) {
      loop.offerSubmit(request, origin);
      return;
    }
    String reason = "system commands (requests of " + SystemCommands.ADMIN + ") are taken"
        + " only from an operator: a connection that proved the key of client "
        + SystemCommands.ADMIN + " listed in the cluster file, or a command signed with the"
        + " cluster secret (lockstep client|device); this connection proved "
        + (connection.keyAuthenticated() ? "the key of client " + proved : "no key");
    adminRefused(connection, "unauthenticated", reason);
    origin.replied(new Reply(request.client(), request.sequence(), Reply.Status.REJECTED,
        new byte[0], reason, 0, 0));
  }

  /**
   * A system command signed with the operator key ({@link OperatorAuth#checkAdmin}): submitted
   * as sequence 1 of the administrator session its nonce names, so a repeat is answered from
   * that session (exactly once, X4). A follower redirects it like any request; the operator's
   * tool sends the same signed command to the leader.
   */
  private void systemCommand(FrameConnection connection, ClientMessage.Admin command,
      ConnectionOrigin origin) {
    OperatorAuth auth = operators;
    java.util.Optional<String> refusal = auth == null
        ? java.util.Optional.of("this replica takes no signed system commands")
        : auth.checkAdmin(command, System.currentTimeMillis());
    ClientId session = SystemCommands.adminSession(
        java.util.HexFormat.of().formatHex(command.nonce()));
    if (refusal.isPresent()) {
      adminRefused(connection, "signature", refusal.get());
      origin.replied(new Reply(session, 1, Reply.Status.REJECTED, new byte[0],
          "refused: " + refusal.get(), 0, 0));
      return;
    }
    loop.offerSubmit(Request.command(session, 1, command.command()), origin);
  }

  /**
   * Where the replicas are, for a machine joining from a small file. Answered here on the I/O
   * thread without the loop: the book is read-only and small, and the question orders nothing.
   */
  private void answerAddressBook(FrameConnection connection, ClientMessage.AddressBookAsk ask) {
    Supplier<List<ClientMessage.BookEntry>> book = addressBook;
    ClientMessage answer = book == null
        ? new ClientMessage.Busy(ask.tag(), "this replica has no address book yet")
        : new ClientMessage.AddressBookAnswer(ask.tag(), book.get());
    LOG.log(Level.INFO, "event=address_book_asked remote=" + connection.remoteAddress()
        + " id=" + connection.remoteId());
    connection.send(ClientCodec.encode(answer));
  }

  private void adminRefused(FrameConnection connection, String kind, String reason) {
    metrics.adminRefused(kind);
    LOG.log(Level.WARNING, "event=system_command_refused remote=" + connection.remoteAddress()
        + " id=" + connection.remoteId() + " kind=" + kind + " reason=\"" + reason + "\"");
  }

  /**
   * An operator's membership command: only one that proves the cluster secret reaches the loop
   * ({@link OperatorAuth}); any other is answered with the reason, logged and counted.
   */
  private void member(FrameConnection connection, ClientMessage.Member m) {
    MemberOrigin origin = new MemberAnswers(connection, m.tag());
    OperatorAuth auth = operators;
    java.util.Optional<String> refusal = auth == null
        ? java.util.Optional.of("this replica takes no membership commands")
        : auth.check(m, System.currentTimeMillis());
    if (refusal.isPresent()) {
      metrics.badFrame();
      LOG.log(Level.WARNING, "event=member_command_refused remote=" + connection.remoteAddress()
          + " id=" + connection.remoteId() + " reason=\"" + refusal.get() + "\"");
      origin.answered(false, "refused: " + refusal.get());
      return;
    }
    // A command another replica forwarded is not forwarded again (a follower redirects it).
    boolean forwarded = connection.remoteId() != null
        && connection.remoteId().startsWith(ClusterConfig.FORWARDER_PREFIX);
    loop.offerMember(new MembershipRuntime.Ask(m.operation(), m.replica(), m.other(), origin,
        forwarded ? null : m));
  }

  /** A membership command's answers, on the connection it came from with its tag. */
  private record MemberAnswers(FrameConnection connection, long tag) implements MemberOrigin {
    @Override
    public void answered(boolean ok, String text) {
      connection.send(ClientCodec.encode(new ClientMessage.MemberResult(tag, ok, text)));
    }

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {
      connection.send(ClientCodec.encode(
          new ClientMessage.Redirect(tag, leaderHint, leaderAddress, reason)));
    }
  }

  private boolean mayActAs(FrameConnection connection, ClientId client) {
    if (!bindIdentity && !connection.keyAuthenticated()) {
      // A proven key always binds the connection to its id; a shared secret proves no id.
      return true;
    }
    String proved = connection.remoteId();
    return proved != null && (proved.startsWith(ClusterConfig.FORWARDER_PREFIX)
        || client.value().equals(proved) || client.value().startsWith(proved + "/"));
  }

  private static String notYours(FrameConnection connection, ClientId client) {
    return "client " + connection.remoteId() + " may not act as " + client + ": it may only"
        + " issue requests as " + connection.remoteId() + " or " + connection.remoteId() + "/…";
  }

  private void impersonation(FrameConnection connection, ClientId client) {
    metrics.badFrame();
    LOG.log(Level.WARNING, "event=client_impersonation_refused remote=" + connection.remoteAddress()
        + " proved=" + connection.remoteId() + " claimed=" + client);
  }

  private void refuse(FrameConnection connection, String reason) {
    metrics.badFrame();
    LOG.log(Level.WARNING, "event=client_frame_refused remote=" + connection.remoteAddress()
        + " reason=\"" + reason + "\"");
    connection.close();
  }

  /**
   * Answers go back on the connection the question came from, tagged as it was. The
   * question's bytes in the connection's budget are freed when the loop takes it (or when it
   * is answered without reaching the loop).
   */
  record ConnectionOrigin(FrameConnection connection, long tag, ConnectionBudget budget,
      boolean learnsConfiguration) implements Origin {
    @Override
    public void replied(Reply reply) {
      // A client that did not ask for the configuration version (an earlier build) gets the
      // reply in the layout it reads: without it.
      send(new ClientMessage.Replied(tag, learnsConfiguration ? reply
          : new Reply(reply.client(), reply.sequence(), reply.status(), reply.value(),
              reply.reason(), reply.position(), reply.replica(), 0)));
    }

    @Override
    public void readResult(QueryResult result) {
      send(new ClientMessage.ReadResult(tag,
          new QueryResult(tag, result.ok(), result.value(), result.reason())));
    }

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {
      send(new ClientMessage.Redirect(tag, leaderHint, leaderAddress, reason));
    }

    @Override
    public void busy(String reason) {
      send(new ClientMessage.Busy(tag, reason));
    }

    /** The answer to a read from this replica alone, naming the replica that answered. */
    void oneReplica(LocalRead read, int replica) {
      send(new ClientMessage.OneReplicaResult(tag, read, replica));
    }

    @Override
    public void taken() {
      budget.release(tag);
    }

    private void send(ClientMessage message) {
      budget.release(tag);
      // A full or closed connection drops the answer; the client times out and retries (X4).
      byte[] payload = ClientCodec.encode(message);
      try {
        connection.send(payload);
      } catch (IllegalArgumentException e) {
        connection.send(ClientCodec.encode(new ClientMessage.Busy(tag, "the answer is "
            + payload.length + " bytes, above the client frame limit")));
      }
    }
  }
}
