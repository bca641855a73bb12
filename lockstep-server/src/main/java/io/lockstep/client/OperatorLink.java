package io.lockstep.client;

import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * One question at a time to one replica's client port, for the operator's tools
 * ({@link MemberClient}, {@link AdminClient}): a fresh connection, authenticated as any client
 * of the cluster is (its key, the shared secret, or neither), one tagged message, its answer.
 * A one-shot tool gains nothing from a session; each tool keeps its own redirect rules.
 */
final class OperatorLink implements AutoCloseable {
  private final ClientOptions options;
  private final FrameClient frames;
  private final AtomicLong tags = new AtomicLong();

  OperatorLink(ClientOptions options) {
    this.options = options;
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD);
    String id = options.clientId().value();
    this.frames = new FrameClient(options.keys() != null
        ? ClientConfig.keyed(options.cluster(), id, options.keys().privateKey(), net)
        : options.secret() == null ? ClientConfig.unauthenticated(options.cluster(), id, net)
        : ClientConfig.authenticated(options.cluster(), id, options.secret(), net));
  }

  /**
   * Connects to {@code target}, sends {@code question} built for a fresh tag (after the
   * connection is up, so a signed question's time is the sending time), and returns the answer
   * with that tag, all before {@code deadline} ({@link System#nanoTime()}).
   */
  ClientMessage exchange(ReplicaAddresses target, LongFunction<ClientMessage> question,
      long deadline) throws InterruptedException, ExecutionException, TimeoutException {
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
      connection.send(ClientCodec.encode(question.apply(tag)));
      return answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } finally {
      connection.close();
    }
  }

  /**
   * Where a redirect says the leader is: the file's entry for it, or else, for a replica added
   * with its addresses that the file does not list, the client address the redirect carries.
   * Empty if neither can be used (with replica keys, an unlisted leader's key is not known
   * here) or the redirect names no leader.
   */
  Optional<ReplicaAddresses> leader(ClusterConfig config, ClientMessage.Redirect redirect) {
    Optional<ReplicaAddresses> listed = redirect.leaderHint() < 0 ? Optional.empty()
        : config.replica(redirect.leaderHint());
    String text = redirect.leaderAddress();
    int colon = text.lastIndexOf(':');
    if (listed.isPresent() || redirect.leaderHint() < 0 || options.keys() != null
        || colon <= 0) {
      return listed;
    }
    try {
      String host = text.substring(0, colon).replaceAll("^\\[|\\]$", "");
      InetSocketAddress a = new InetSocketAddress(host,
          Integer.parseInt(text.substring(colon + 1)));
      // Only the client address is dialed; the record needs the other three, unused here.
      return Optional.of(new ReplicaAddresses(redirect.leaderHint(), a, a, a, a));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
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

  @Override
  public void close() {
    frames.close();
  }
}
