package io.lockstep.cli;

import io.lockstep.bench.KvTarget;
import io.lockstep.client.ClientSession;
import io.lockstep.client.KvClient;
import io.lockstep.client.LockstepClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * The load generator's {@link KvTarget} over the Java client: writes are {@code SET}, reads
 * linearizable {@code GET}s through the leader, compare-and-sets {@code SET … IFEQ}.
 *
 * <p>Each operation borrows a client session (its own {@link io.lockstep.machine.ClientId}) and
 * returns it when answered, so every session has at most one request in flight — a closed-loop
 * client in the paper's sense (§2, O1) — while all share one connection per replica.
 */
final class KvClientTarget implements KvTarget {
  private final LockstepClient client;
  private final ConcurrentLinkedQueue<KvClient> idle = new ConcurrentLinkedQueue<>();

  KvClientTarget(LockstepClient client) {
    this.client = java.util.Objects.requireNonNull(client, "client");
  }

  @Override
  public CompletableFuture<?> write(String key, byte[] value) {
    return with(kv -> kv.setAsync(utf8(key), value));
  }

  @Override
  public CompletableFuture<?> read(String key) {
    return with(kv -> kv.getAsync(utf8(key)));
  }

  @Override
  public CompletableFuture<?> cas(String key, byte[] expected, byte[] value) {
    return with(kv -> kv.casAsync(utf8(key), expected, value));
  }

  private CompletableFuture<?> with(Function<KvClient, CompletableFuture<?>> operation) {
    KvClient kv = idle.poll();
    if (kv == null) {
      ClientSession session = client.newSession();
      kv = new KvClient(session);
    }
    KvClient borrowed = kv;
    CompletableFuture<?> answer;
    try {
      answer = operation.apply(borrowed);
    } catch (RuntimeException e) {
      idle.add(borrowed);
      return CompletableFuture.failedFuture(e);
    }
    return answer.whenComplete((value, failure) -> idle.add(borrowed));
  }

  private static byte[] utf8(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
