package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.util.List;

/**
 * A replica's stable storage (X1): what a protocol core asks to persist through
 * {@link StorageWrite}s, and gives back as {@link Recovered} after a crash.
 *
 * <p>Use: {@link #recover} once, then any number of {@link #write} calls, each followed eventually
 * by {@link #sync}; only what {@link #sync} returned from is durable, so a runtime sends a Ready's
 * messages and acknowledges its requests only after the sync that covers its writes (a crash right
 * after an acknowledgement must not lose it). After any {@link IOException} the storage is unusable
 * until the replica restarts: a failed fsync leaves the page cache and the device disagreeing, so
 * retrying could report durable what is not.
 *
 * <p>Implementations are driven by one thread at a time (the runtime's log thread); the metric
 * getters may be read from any thread.
 */
public interface StableStorage extends AutoCloseable {
  /**
   * Reads what the storage holds, repairing a torn tail left by a crash. Call once, before the
   * first write.
   *
   * @throws CorruptStorageException if the storage holds damage a crash cannot explain
   * @throws IOException if it cannot be read
   */
  Recovered recover() throws IOException;

  /**
   * Adds {@code writes}, in order, to what the next {@link #sync} makes durable. Validates the
   * whole list first: an {@link IllegalArgumentException} (a gap in the log, non-consecutive
   * entries, a snapshot older than the stored one) changes nothing.
   */
  void write(List<StorageWrite> writes) throws IOException;

  /** Makes everything written so far durable (fsync); does no I/O when nothing is pending. */
  void sync() throws IOException;

  /**
   * Reads stored log entries back (the protocol keeps only a byte budget of its log in memory):
   * the consecutive entries from {@code from}, at most to {@code to}, stopping once their
   * encoded size reaches {@code maxBytes} (at least one entry if {@code from} is stored). Sees
   * every write made before it, durable or not. Empty when {@code from} is not stored
   * (compacted, or past the end).
   *
   * @throws CorruptStorageException if a record read back does not check out: damage is
   *     reported, never returned as entries
   * @throws IOException if the disk fails the read; the storage stays usable
   * @throws UnsupportedOperationException if this storage cannot read entries back. That is the
   *     default on purpose: only {@link FileStorage} serves reads, and for any other storage (the
   *     tests' in-memory doubles) the log thread turns the refusal into a failed read, after
   *     which the leader sends the follower a snapshot if one covers the gap, else asks again
   */
  default List<LogEntry> readEntries(long from, long to, long maxBytes) throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " does not read log entries back");
  }

  /** Number of fsyncs issued (files and directories), for metrics. */
  long syncs();

  /** Total time spent in fsync, in nanoseconds, for metrics. */
  long syncNanos();

  /** Bytes written to files (log records and snapshots), for metrics. */
  long bytesWritten();

  /** Syncs what is pending if the storage is healthy, and releases its files. */
  @Override
  void close() throws IOException;
}
