package io.lockstep.client;

import io.lockstep.machine.ClientId;
import java.util.concurrent.CompletableFuture;

/**
 * One client of the replicated service (paper §2): an identity whose requests are numbered in
 * issue order (O1) and applied exactly once (X4). A {@link LockstepClient} is one; more share its
 * connections through {@link LockstepClient#newSession()}.
 */
public interface ClientSession {
  /** The session's identity. */
  ClientId clientId();

  /** Orders and applies {@code command}; completes with the state machine's output. */
  CompletableFuture<byte[]> submit(byte[] command);

  /** A linearizable read-only query. */
  CompletableFuture<byte[]> query(byte[] query);

  /** {@link #submit}, waiting for the outcome. */
  default byte[] submitBlocking(byte[] command) {
    return LockstepClient.await(submit(command));
  }

  /** {@link #query}, waiting for the outcome. */
  default byte[] queryBlocking(byte[] query) {
    return LockstepClient.await(query(query));
  }
}
