package io.lockstep.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place where stable storage writes, reads and forces data, so that fsyncs are counted
 * and timed, and so that tests can make them fail or stall ({@link DiskFaults}, or a subclass
 * overriding {@link #forceChannel}).
 */
class Disk {
  private final DiskFaults faults;
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong syncNanos = new AtomicLong();
  private final AtomicLong bytesWritten = new AtomicLong();

  Disk() {
    this(DiskFaults.none());
  }

  Disk(DiskFaults faults) {
    this.faults = faults;
  }

  /**
   * Forces a file's data to the device. fdatasync suffices: it also flushes the file size,
   * which a later read needs, and skips the timestamps, which nothing reads.
   */
  final void force(FileChannel channel) throws IOException {
    timedForce(channel, false);
  }

  /**
   * Forces a file's data and all its metadata (fsync): for a change of size that no later data
   * write depends on, such as a segment cut down to its last record.
   */
  final void forceAll(FileChannel channel) throws IOException {
    timedForce(channel, true);
  }

  private void timedForce(FileChannel channel, boolean metadata) throws IOException {
    long start = System.nanoTime();
    forceChannel(channel, metadata);
    syncNanos.addAndGet(System.nanoTime() - start);
    syncs.incrementAndGet();
  }

  /**
   * Forces a directory, making file creations, renames and deletions in it durable: without
   * this, a crash can lose a file whose data was forced.
   */
  final void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      timedForce(channel, true);
    }
  }

  /** Test seam: the actual system call. */
  void forceChannel(FileChannel channel, boolean metadata) throws IOException {
    faults.beforeSync();
    channel.force(metadata);
  }

  /**
   * Opens a new or truncated file for writing with direct I/O ({@code O_DIRECT}), which bypasses
   * the page cache. Test seam for a refusal.
   *
   * @throws IOException where the file system refuses it (tmpfs answers EINVAL)
   * @throws UnsupportedOperationException where the platform has no direct I/O
   */
  FileChannel openDirect(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
        com.sun.nio.file.ExtendedOpenOption.DIRECT);
  }

  /** Writes all of {@code buffer} at the channel's position, counting the bytes. */
  final void write(FileChannel channel, java.nio.ByteBuffer buffer) throws IOException {
    int length = buffer.remaining();
    faults.beforeWrite();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    bytesWritten.addAndGet(length);
  }

  /** Writes all of {@code buffer} at byte {@code position}, leaving the channel's position. */
  final void writeAt(FileChannel channel, java.nio.ByteBuffer buffer, long position)
      throws IOException {
    int length = buffer.remaining();
    faults.beforeWrite();
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    bytesWritten.addAndGet(length);
  }

  /** Reads a whole file (a segment or a snapshot during recovery). */
  byte[] readAll(Path file) throws IOException {
    faults.beforeRead();
    return Files.readAllBytes(file);
  }

  /**
   * Fills {@code buffer} from byte {@code position} of the file (a log entry read back); false
   * if the file ends first.
   */
  boolean readAt(FileChannel channel, java.nio.ByteBuffer buffer, long position)
      throws IOException {
    faults.beforeRead();
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position);
      if (read < 0) {
        return false;
      }
      position += read;
    }
    return true;
  }

  long syncs() {
    return syncs.get();
  }

  long syncNanos() {
    return syncNanos.get();
  }

  long bytesWritten() {
    return bytesWritten.get();
  }
}
