package io.lockstep.storage;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A switch that makes a {@link FileStorage}'s disk misbehave, for tests and failure drills: a full
 * disk, EIO on write, read or fsync, and slow fsyncs. Flip it from any thread while the storage
 * runs; {@link #none()} is the switch of a healthy disk and costs one volatile read per write, read
 * or fsync.
 *
 * <p>The injected errors are the {@link IOException}s the JDK throws for the real system
 * errors, with the same messages ("No space left on device", "Input/output error"), so the
 * runtime cannot tell them from the real thing. A real full disk (a small tmpfs) is tested too.
 */
public final class DiskFaults {
  /** What the next disk calls do. */
  public enum Mode {
    /** Every call works. */
    HEALTHY,
    /** Writes fail with ENOSPC; reads and fsyncs work. */
    FULL,
    /** Writes fail with EIO. */
    WRITE_ERROR,
    /** fsyncs fail with EIO (the "fsyncgate" case: the page cache state is unknown after it). */
    SYNC_ERROR,
    /** Reads fail with EIO (recovery cannot read the log). */
    READ_ERROR
  }

  private volatile Mode mode = Mode.HEALTHY;
  private volatile long syncStallNanos;

  private DiskFaults() {}

  /** A switch that starts healthy. */
  public static DiskFaults none() {
    return new DiskFaults();
  }

  /** Makes later calls fail as {@code mode} says (HEALTHY to stop failing). */
  public void set(Mode mode) {
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  /** The current mode. */
  public Mode mode() {
    return mode;
  }

  /** Makes every later fsync take at least {@code stall} (zero: no stall). */
  public void stallSyncs(Duration stall) {
    if (stall.isNegative()) {
      throw new IllegalArgumentException("stall must not be negative: " + stall);
    }
    this.syncStallNanos = stall.toNanos();
  }

  void beforeWrite() throws IOException {
    Mode current = mode;
    if (current == Mode.FULL) {
      throw new IOException("No space left on device (injected by DiskFaults)");
    }
    if (current == Mode.WRITE_ERROR) {
      throw new IOException("Input/output error (injected by DiskFaults on write)");
    }
  }

  void beforeSync() throws IOException {
    long stall = syncStallNanos;
    if (stall > 0) {
      // A stuck device ignores interrupts too: park until the stall is over, whatever happens.
      long end = System.nanoTime() + stall;
      for (long left = stall; left > 0; left = end - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
    }
    if (mode == Mode.SYNC_ERROR) {
      throw new IOException("Input/output error (injected by DiskFaults on fsync)");
    }
  }

  void beforeRead() throws IOException {
    if (mode == Mode.READ_ERROR) {
      throw new IOException("Input/output error (injected by DiskFaults on read)");
    }
  }
}
