package io.lockstep.bench;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A key-value service under load, seen through an asynchronous API so that one thread can keep
 * many closed-loop clients busy.
 *
 * <p>Each method starts one operation and returns a future that completes when the service has
 * answered (successfully or not). The load generator never has more than
 * {@link Workload#clients()} operations outstanding at once. Implementations must be safe for
 * concurrent use and must not complete futures on the JDK common pool (on a 2-core machine it has
 * a single thread); completing them on the target's own I/O threads is the intended use. A
 * failure is reported by completing the future exceptionally; the generator counts it by
 * exception type. The value of a successful future is ignored: a compare-and-set that finds a
 * different value is a normal answer, not an error.
 */
public interface KvTarget extends AutoCloseable {

  /** Stores {@code value} under {@code key} durably (the service's notion of a committed write). */
  CompletableFuture<?> write(String key, byte[] value);

  /** Reads the value of {@code key}; a missing key is a normal answer. */
  CompletableFuture<?> read(String key);

  /** Replaces the value of {@code key} with {@code value} if it currently equals {@code expected}. */
  CompletableFuture<?> cas(String key, byte[] expected, byte[] value);

  /** Releases the target's connections and threads. */
  @Override
  void close() throws IOException;
}
