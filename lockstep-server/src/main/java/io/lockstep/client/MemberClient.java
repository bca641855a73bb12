package io.lockstep.client;

import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.server.OperatorAuth;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import io.lockstep.storage.codec.CodecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends an operator's membership command ({@code lockstep member}) to a cluster: to any replica
 * that answers, following its redirect to the leader, which carries the command out. Each
 * command is signed with the operator key derived from the cluster secret
 * ({@link OperatorAuth}), on a connection authenticated as any client of the cluster is.
 */
public final class MemberClient implements AutoCloseable {
  private static final int MAX_HOPS = 8;

  /**
   * The answer: done or refused, in the leader's words, and which replica answered.
   *
   * @param ok true when the command was carried out (or, for list, answered)
   * @param text the reason or the resulting configuration
   * @param answeredBy the replica that answered, or -1 when none did
   */
  public record Outcome(boolean ok, String text, int answeredBy) {}

  private final ClusterConfig config;
  private final ClientOptions options;
  private final OperatorAuth auth;
  private final FrameClient frames;
  private final AtomicLong tags = new AtomicLong();

  /** A client of {@code config}'s cluster, connecting as {@code options} say (secret, key). */
  public MemberClient(ClusterConfig config, ClientOptions options) {
    this.config = config;
    this.options = options;
    this.auth = new OperatorAuth(config.name(), config.secret());
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD);
    String id = options.clientId().value();
    this.frames = new FrameClient(options.keys() != null
        ? ClientConfig.keyed(options.cluster(), id, options.keys().privateKey(), net)
        : options.secret() == null ? ClientConfig.unauthenticated(options.cluster(), id, net)
        : ClientConfig.authenticated(options.cluster(), id, options.secret(), net));
  }

  /**
   * Sends the command and waits for its answer, trying each replica in turn and following
   * redirects to the leader.
   *
   * @param replica the replica to add or remove (for replace: to remove), -1 for list
   * @param other for replace, the replica to add; otherwise -1
   * @param timeout how long to wait in all
   */
  public Outcome send(MemberOperation operation, int replica, int other, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> problems = new ArrayList<>();
    List<ReplicaAddresses> order = new ArrayList<>(config.replicas());
    for (int i = 0, hops = 0; i < order.size() && hops < MAX_HOPS
        && System.nanoTime() < deadline; hops++) {
      ReplicaAddresses target = order.get(i);
      ClientMessage answer;
      try {
        answer = ask(target, operation, replica, other, deadline);
      } catch (ExecutionException | TimeoutException e) {
        problems.add("replica " + target.id() + ": " + (e.getCause() != null
            ? e.getCause().getMessage() : "no answer in time"));
        i++;
        continue;
      }
      if (answer instanceof ClientMessage.MemberResult r) {
        return new Outcome(r.ok(), r.text(), target.id());
      } else if (answer instanceof ClientMessage.Redirect r && r.leaderHint() >= 0
          && config.replica(r.leaderHint()).isPresent()) {
        order.add(i + 1, config.replica(r.leaderHint()).get()); // the leader next
        i++;
      } else {
        problems.add("replica " + target.id() + ": " + describe(answer));
        i++;
      }
    }
    return new Outcome(false, "no replica carried the command out: "
        + String.join("; ", problems), -1);
  }

  private ClientMessage ask(ReplicaAddresses target, MemberOperation operation, int replica,
      int other, long deadline) throws InterruptedException, ExecutionException,
      TimeoutException {
    long tag = tags.incrementAndGet();
    CompletableFuture<ClientMessage> answer = new CompletableFuture<>();
    FrameHandler handler = new FrameHandler() {
      @Override
      public void onFrame(FrameConnection connection, byte[] payload) {
        try {
          ClientMessage message = ClientCodec.decode(payload);
          if (message.tag() == tag) {
            answer.complete(message);
          }
        } catch (CodecException e) {
          answer.completeExceptionally(e);
        }
      }

      @Override
      public void onClose(FrameConnection connection) {
        answer.completeExceptionally(new IllegalStateException("connection closed"));
      }
    };
    long left = Math.max(1, deadline - System.nanoTime());
    FrameConnection connection = connect(target, handler).get(left, TimeUnit.NANOSECONDS);
    try {
      ClientMessage.Member command = auth.sign(tag, operation, replica, other,
          System.currentTimeMillis());
      connection.send(ClientCodec.encode(command));
      return answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } finally {
      connection.close();
    }
  }

  private CompletableFuture<FrameConnection> connect(ReplicaAddresses target,
      FrameHandler handler) {
    ClientKeys keys = options.keys();
    if (keys == null) {
      return frames.connect(target.client(), handler);
    }
    int index = keys.replicaIds().indexOf(target.id());
    return frames.connect(target.client(), Integer.toString(target.id()),
        keys.replicaKeys().get(index), handler);
  }

  private static String describe(ClientMessage answer) {
    if (answer instanceof ClientMessage.Busy b) {
      return "busy: " + b.reason();
    } else if (answer instanceof ClientMessage.Redirect r) {
      return "not the leader, and no leader known (" + r.reason() + ")";
    }
    return "unexpected answer " + answer.getClass().getSimpleName();
  }

  @Override
  public void close() {
    frames.close();
  }
}
