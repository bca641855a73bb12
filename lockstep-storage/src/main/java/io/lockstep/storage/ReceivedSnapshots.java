package io.lockstep.storage;

import io.lockstep.order.SnapshotData;
import io.lockstep.order.SnapshotReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a snapshot received from a peer into the data directory chunk by chunk, as the protocol
 * hands the chunks over, so a follower catching up never holds the received state on its heap
 * (X2): each chunk is written (not forced) to {@code snapshot-<index>.received.tmp} and dropped.
 * The last chunk forces the file and renames it to the state file a snapshot at that index uses
 * ({@code snapshot-<index>.state}, see {@link SnapshotStateWriter}); the protocol's
 * {@code SaveSnapshot} of the returned data then only writes a small reference to it.
 *
 * <p>Forcing the file on the caller's (loop) thread costs one fsync of the state per installed
 * snapshot; the restore of that state into the executor, which follows at once on the same
 * thread, reads all of it and costs more. Nothing needs a chunk forced earlier: how much was
 * received lives only in the protocol's memory, so after a crash the transfer starts over and a
 * leftover temporary file is deleted at the next start, like any other.
 *
 * <p>Used from the loop thread only. An I/O error is thrown as an {@link UncheckedIOException},
 * which stops the replica as any failed disk write does.
 */
public final class ReceivedSnapshots implements SnapshotReceiver {
  private final Path directory;
  private final Disk disk;

  ReceivedSnapshots(Path directory, Disk disk) {
    this.directory = directory;
    this.disk = disk;
  }

  /** Where the chunks of the snapshot at {@code index} go while it is received. */
  static Path partPath(Path directory, long index) {
    return directory.resolve(String.format("snapshot-%020d.received%s", index,
        SnapshotFiles.TEMPORARY));
  }

  @Override
  public Incoming begin(long index, long term, long size) {
    if (index < 1 || size < 0) {
      throw new IllegalArgumentException("snapshot index must be at least 1 and size not"
          + " negative, were " + index + " and " + size);
    }
    try {
      return new FileIncoming(index, size, FileChannel.open(partPath(directory, index),
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + partPath(directory, index), e);
    }
  }

  /** One received snapshot's file, open while chunks arrive. */
  private final class FileIncoming implements Incoming {
    private final long index;
    private final long size;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private long received;
    private boolean closed;

    FileIncoming(long index, long size, FileChannel channel) {
      this.index = index;
      this.size = size;
      this.channel = channel;
    }

    @Override
    public void append(byte[] chunk) {
      requireOpen();
      if (received + chunk.length > size) {
        throw new IllegalArgumentException("chunk of " + chunk.length + " bytes at offset "
            + received + " overruns the snapshot's " + size + " bytes");
      }
      try {
        disk.write(channel, ByteBuffer.wrap(chunk));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write to " + partPath(directory, index), e);
      }
      crc.update(chunk);
      received += chunk.length;
    }

    @Override
    public long received() {
      return received;
    }

    @Override
    public int crc32c() {
      return (int) crc.getValue();
    }

    @Override
    public SnapshotData complete() {
      requireOpen();
      if (received != size) {
        throw new IllegalStateException("snapshot at " + index + " has " + received + " of "
            + size + " bytes");
      }
      Path target = SnapshotFiles.statePath(directory, index);
      try {
        disk.force(channel);
        close();
        Files.move(partPath(directory, index), target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        disk.forceDirectory(directory);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot store the received snapshot at " + index
            + " as " + target, e);
      }
      return new StoredState(target, size, (int) crc.getValue());
    }

    @Override
    public void abandon() {
      if (closed) {
        return;
      }
      try {
        close();
        Files.deleteIfExists(partPath(directory, index));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + partPath(directory, index), e);
      }
    }

    private void close() throws IOException {
      closed = true;
      channel.close();
    }

    private void requireOpen() {
      if (closed) {
        throw new IllegalStateException("the received snapshot at " + index
            + " was already completed or abandoned");
      }
    }
  }
}
