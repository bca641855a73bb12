package io.lockstep.storage;

import io.lockstep.machine.SnapshotWriter;
import io.lockstep.order.SnapshotData;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a replica's own snapshots into state files of its data directory, on a thread of the
 * runtime's choosing, so that neither the loop thread (which only captured the state) nor the
 * log thread (which then records a small reference, see {@link SnapshotFiles}) spends time on a
 * large state (X2).
 *
 * <p>Each file is written atomically, like every snapshot file: stream into a temporary file,
 * force it, rename it over the final name, force the directory. The state at one position is
 * byte-identical on every correct replica, so the file is named by position alone.
 *
 * <p><b>No dirty pages piled up for the log to wait behind.</b> A state file shares its file
 * system with the log, whose group commits fsync all the time; on ext4 in its default {@code
 * data=ordered} mode (and on one device in general) such an fsync waits for whatever the
 * snapshot has left dirty. Written into the page cache and forced once at the end, a 134 MB
 * state made a log fsync that came during that force wait for the whole write-back
 * (docs/BENCHMARKS.md, "Snapshots that do not stall"). So the file is written with direct I/O
 * where the file system allows it: each 256 KiB goes to the device as it is written, nothing is
 * left dirty, and the one force at the end is cheap. Where direct I/O is refused (tmpfs, some
 * platforms), the file goes through the page cache and is forced every {@link
 * #FORCE_EVERY_BYTES}, so that a log fsync waits for a few MiB at most; see {@link
 * StateFileOutput}. Either way the file's bytes, size and checksum are the same.
 */
public final class SnapshotStateWriter {
  private static final System.Logger LOG =
      System.getLogger(SnapshotStateWriter.class.getName());
  /** Where direct I/O is refused, how much may be written before the file is forced. */
  static final long FORCE_EVERY_BYTES = 4L << 20;

  private final Path directory;
  private final Disk disk;
  private final long forceEveryBytes;
  private final boolean tryDirect;
  private volatile boolean lastDirect;
  /** Why direct I/O was first refused here (null while it never was): logged once, then kept. */
  private volatile String directRefused;

  SnapshotStateWriter(Path directory, Disk disk) {
    this(directory, disk, FORCE_EVERY_BYTES, true);
  }

  /** Test seam: a smaller force interval, and whether to try direct I/O at all. */
  SnapshotStateWriter(Path directory, Disk disk, long forceEveryBytes, boolean tryDirect) {
    if (forceEveryBytes < StateFileOutput.BUFFER) {
      throw new IllegalArgumentException("a state file is forced at most every "
          + StateFileOutput.BUFFER + " bytes (one buffer), not every " + forceEveryBytes);
    }
    this.directory = directory;
    this.disk = disk;
    this.forceEveryBytes = forceEveryBytes;
    this.tryDirect = tryDirect;
  }

  /**
   * Writes the state at {@code position} and returns it as stored data, durable on return.
   *
   * @throws IOException if writing or forcing fails; the replica must then stop, as for any
   *     failed fsync
   */
  public SnapshotData write(long position, SnapshotWriter state) throws IOException {
    if (position < 1) {
      throw new IllegalArgumentException("snapshot position must be at least 1, was " + position);
    }
    Path target = SnapshotFiles.statePath(directory, position);
    Path temporary = target.resolveSibling(target.getFileName() + SnapshotFiles.TEMPORARY);
    CRC32C crc = new CRC32C();
    long size;
    try (StateFileOutput out = open(temporary, crc)) {
      lastDirect = out.direct();
      state.writeTo(out);
      size = out.finish();
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    disk.forceDirectory(directory);
    return new StoredState(target, size, (int) crc.getValue());
  }

  /**
   * Deletes this directory's state files that no snapshot refers to, below the newest one
   * recorded; returns how many. For a caller that writes states ahead of recording them and
   * records them in increasing index order (a Byzantine protocol's checkpoints, written while
   * they are digested): a state it wrote that is still unrecorded below the newest recorded one
   * was passed over for a later state (the replica fell behind and fetched a stable checkpoint
   * instead) and can never be recorded, and without this sweep it would stay on disk until
   * the next start.
   */
  public int deleteUnrecordedBelowNewest() throws IOException {
    return new SnapshotFiles(directory, disk).deleteUnrecordedBelowNewest();
  }

  /** Whether the last state file was written with direct I/O (for tests and diagnostics). */
  boolean lastWriteWasDirect() {
    return lastDirect;
  }

  /**
   * Why direct I/O was first refused for this directory's state files (the file system and the
   * error), or null if it never was (for tests and diagnostics).
   */
  String directRefused() {
    return directRefused;
  }

  private StateFileOutput open(Path temporary, CRC32C crc) throws IOException {
    if (tryDirect) {
      try {
        int block = directBlockSize();
        return StateFileOutput.direct(disk.openDirect(temporary), disk, crc, block);
      } catch (IOException | UnsupportedOperationException e) {
        refused(e);
      }
    }
    FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    return StateFileOutput.buffered(channel, disk, crc, forceEveryBytes);
  }

  /**
   * Notes a refusal of direct I/O, logging it the first time only: the file system does not
   * change between snapshots, and an operator needs to know once why log fsyncs may wait
   * behind state files (what the fallback bounds them by is in the message).
   */
  private void refused(Exception e) {
    if (directRefused != null) {
      return;
    }
    directRefused = "file system " + describeStore() + ": " + e;
    LOG.log(System.Logger.Level.WARNING, "snapshot state files in " + directory + " are"
        + " written through the page cache and forced every " + (forceEveryBytes >> 10)
        + " KiB, because direct I/O was refused (" + directRefused + "); a log fsync may"
        + " wait behind up to that much");
  }

  private String describeStore() {
    try {
      FileStore store = Files.getFileStore(directory);
      return store.name() + " (" + store.type() + ")";
    } catch (IOException e) {
      return "unknown (" + e + ")";
    }
  }

  /**
   * The directory's block size, to which direct writes are aligned.
   *
   * @throws IOException if it cannot be read or no aligned buffer fits it
   */
  private int directBlockSize() throws IOException {
    long block = Files.getFileStore(directory).getBlockSize();
    if (block <= 0 || Long.bitCount(block) != 1 || block > StateFileOutput.BUFFER) {
      throw new IOException("block size " + block + " is not a power of two up to "
          + StateFileOutput.BUFFER + " bytes");
    }
    return (int) block;
  }
}
