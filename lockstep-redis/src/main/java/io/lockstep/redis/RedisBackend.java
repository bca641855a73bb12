package io.lockstep.redis;

import io.lockstep.machine.ClientId;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link RedisServer} needs from a replica: ordering and applying writes, linearizable
 * reads, and status for INFO. The replica server implements it; tests use an in-process one.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Each Redis connection is one client with its own {@link ClientId}, unique across
 *       replicas and restarts (see {@link RedisServerConfig#clientIdPrefix()}). After a write
 *       completes with {@link BackendException.Indeterminate} or
 *       {@link BackendException.SessionExpired}, the connection's later commands come under a
 *       fresh {@link ClientId} (and {@link #disconnected} is called for the old one): the
 *       unknown write's number may never be ordered, and an expired session cannot continue.
 *   <li>{@link #write} and {@link #read} are called on the connection's Netty I/O thread, in the
 *       order the client issued the commands, and must not block. The server never has a read
 *       and a write of one connection outstanding at once, so a client always reads its own
 *       writes, as with Redis.
 *   <li><b>Sequence numbers are the backend's job.</b> The backend numbers each client's
 *       writes 1, 2, 3… ({@link io.lockstep.request.Request#sequence()}) in call order. Only
 *       the backend knows whether a request entered the order: if one was refused before being
 *       ordered (not leader, queue full), its number must be reused, or every later write of the
 *       connection would wait forever in the executor's FIFO buffer (O1); and a retry after a
 *       timeout or a leader change must reuse the same number so the executor's session
 *       answers it from its cache instead of applying it twice (X4).
 *   <li>Every future must complete, in bounded time: a request whose outcome is not known in
 *       time completes with {@link BackendException.Indeterminate} (the connection would
 *       otherwise wait forever, as replies go out in order).
 *   <li>Futures may complete on any thread. Complete normally with the state machine's output
 *       bytes (a RESP2 reply produced by {@link RedisStore}), or exceptionally with a
 *       {@link BackendException}; anything else is reported to the client as an internal error.
 * </ul>
 */
public interface RedisBackend {
  /**
   * Orders and applies a write command ({@link RedisOpCodec} bytes).
   *
   * @return the state machine's output
   */
  CompletableFuture<byte[]> write(ClientId client, byte[] command);

  /**
   * Serves a read-only query linearizably (ReadIndex through the leader: S12).
   *
   * @return the state machine's output
   */
  CompletableFuture<byte[]> read(ClientId client, byte[] query);

  /** The replica's current status for INFO; called on I/O threads, must be cheap. */
  ReplicaInfo info();

  /** The connection of {@code client} closed; its session may be forgotten. */
  default void disconnected(ClientId client) {}
}
