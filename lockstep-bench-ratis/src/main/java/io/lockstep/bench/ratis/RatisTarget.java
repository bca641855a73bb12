package io.lockstep.bench.ratis;

import io.lockstep.bench.KvTarget;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * {@link KvTarget} over Ratis's asynchronous client API: writes and compare-and-sets with
 * {@code client.async().send}, reads with {@code client.async().sendReadOnly} (linearizable when
 * the cluster runs with the {@code LINEARIZABLE} read option).
 *
 * <p>Each operation leases an idle {@link RaftClient} for its duration, so with as many Raft
 * clients as closed-loop clients every Raft client has at most one request outstanding — like C
 * independent clients; with fewer, operations share clients round-robin and Ratis pipelines them
 * within each client's ordered sliding window. Futures complete on Ratis's client threads.
 */
public final class RatisTarget implements KvTarget {

  private final List<RaftClient> clients;
  private final ConcurrentLinkedQueue<RaftClient> idle;
  private final AtomicInteger next = new AtomicInteger();

  /** A target over these clients, which it closes on {@link #close()}. */
  public RatisTarget(List<RaftClient> clients) {
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("at least one Raft client is needed");
    }
    this.clients = List.copyOf(clients);
    this.idle = new ConcurrentLinkedQueue<>(clients);
  }

  @Override
  public CompletableFuture<ByteString> write(String key, byte[] value) {
    Message put = Message.valueOf(new KvCommand.Put(key, value).encode());
    return call(client -> client.async().send(put));
  }

  @Override
  public CompletableFuture<ByteString> read(String key) {
    Message get = Message.valueOf(new KvCommand.Get(key).encode());
    return call(client -> client.async().sendReadOnly(get));
  }

  /** Completes with whether the value was swapped. */
  @Override
  public CompletableFuture<Boolean> cas(String key, byte[] expected, byte[] value) {
    Message cas = Message.valueOf(new KvCommand.Cas(key, expected, value).encode());
    return call(client -> client.async().send(cas)).thenApply(KvCommand::swapped);
  }

  private CompletableFuture<ByteString> call(
      Function<RaftClient, CompletableFuture<RaftClientReply>> send) {
    RaftClient leased = idle.poll();
    RaftClient client = leased != null
        ? leased
        : clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = send.apply(client);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    // The lease ends before the caller's continuation runs, so its next operation finds it idle.
    return reply.whenComplete((r, e) -> {
      if (leased != null) {
        idle.offer(leased);
      }
    }).thenApply(RatisTarget::content);
  }

  private static ByteString content(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      Throwable cause = reply.getException() != null
          ? reply.getException()
          : new IllegalStateException("Ratis reply without success or exception: " + reply);
      throw new CompletionException(cause);
    }
    return reply.getMessage().getContent();
  }

  /** Closes every Raft client. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (RaftClient client : clients) {
      try {
        client.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
