package io.lockstep.storage;

import io.lockstep.machine.SnapshotWriter;
import io.lockstep.order.SnapshotData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * <p><b>Forced as it goes.</b> The file is forced after every {@link #FORCE_EVERY_BYTES} it
 * grows, not only once at the end, so that at most that much of it is ever dirty in the page
 * cache. A state file shares its file system with the log, whose group commits fsync all the
 * time; on ext4 in its default {@code data=ordered} mode (and on one device in general) such an
 * fsync waits for whatever the snapshot has left dirty. Forced once at the end, a 134 MB state
 * made a log fsync that came during that force wait for the whole write-back (docs/BENCHMARKS.md,
 * "Snapshots that do not stall"); forced as it goes, it waits for a few MiB at most. The forces
 * also pace the writer to the device's speed, so it cannot queue a whole state ahead of the log.
 */
public final class SnapshotStateWriter {
  /** How much of a state file may be written before it is forced; see the class comment. */
  static final long FORCE_EVERY_BYTES = 4L << 20;
  private static final int BUFFER = 256 * 1024;

  private final Path directory;
  private final Disk disk;
  private final long forceEveryBytes;

  SnapshotStateWriter(Path directory, Disk disk) {
    this(directory, disk, FORCE_EVERY_BYTES);
  }

  /** Test seam: a smaller force interval, so that a small state shows the behaviour. */
  SnapshotStateWriter(Path directory, Disk disk, long forceEveryBytes) {
    if (forceEveryBytes < BUFFER) {
      throw new IllegalArgumentException("a state file is forced at most every " + BUFFER
          + " bytes (one buffer), not every " + forceEveryBytes);
    }
    this.directory = directory;
    this.disk = disk;
    this.forceEveryBytes = forceEveryBytes;
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
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ChannelOutput out = new ChannelOutput(channel, crc);
      state.writeTo(out);
      out.flush();
      size = out.written;
      disk.force(channel);
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    disk.forceDirectory(directory);
    return new StoredState(target, size, (int) crc.getValue());
  }

  /**
   * A buffered stream into a channel through {@link Disk}, with a running CRC32C, that forces
   * the channel every {@link #forceEveryBytes}.
   */
  private final class ChannelOutput extends OutputStream {
    private final FileChannel channel;
    private final CRC32C crc;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    private long written;
    private long unforced;

    ChannelOutput(FileChannel channel, CRC32C crc) {
      this.channel = channel;
      this.crc = crc;
    }

    @Override
    public void write(int b) throws IOException {
      if (!buffer.hasRemaining()) {
        flush();
      }
      buffer.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (!buffer.hasRemaining()) {
          flush();
        }
        int n = Math.min(len, buffer.remaining());
        buffer.put(b, off, n);
        off += n;
        len -= n;
      }
    }

    @Override
    public void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.array(), 0, buffer.limit());
      written += buffer.limit();
      unforced += buffer.limit();
      disk.write(channel, buffer);
      buffer.clear();
      if (unforced >= forceEveryBytes) {
        disk.force(channel);
        unforced = 0;
      }
    }
  }
}
