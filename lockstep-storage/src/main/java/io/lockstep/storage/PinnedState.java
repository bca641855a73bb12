package io.lockstep.storage;

import io.lockstep.order.SnapshotData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A {@link StoredState} held open ({@link SnapshotData#pin()}) while a transfer of it lasts, so
 * that the compaction after a newer snapshot, which deletes the older state files, cannot pull
 * the bytes from under a leader or source that still sends them. Reads are positional, so the
 * loop thread reads while the log thread deletes the file's name. Released at the transfer's
 * end; a pin never released (a replica dropped in-process) is closed by the channel's cleaner
 * when collected.
 */
final class PinnedState implements SnapshotData.Pin, SnapshotData {
  private static final System.Logger LOG = System.getLogger(PinnedState.class.getName());
  private final StoredState state;
  private final FileChannel channel;

  PinnedState(StoredState state) {
    this.state = state;
    try {
      this.channel = FileChannel.open(state.file(), StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pin snapshot state " + state.file(), e);
    }
  }

  @Override
  public SnapshotData data() {
    return this;
  }

  /**
   * Closes the file. A failure is logged, not thrown: closing a read-only channel loses no
   * data, its descriptor is gone either way, and the caller is the protocol's step.
   */
  @Override
  public void release() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot close pinned snapshot state "
          + state.file(), e);
    }
  }

  /** The state file held open. */
  StoredState state() {
    return state;
  }

  /** Whether the file is still held open (for tests). */
  boolean held() {
    return channel.isOpen();
  }

  @Override
  public long size() {
    return state.size();
  }

  @Override
  public byte[] read(long offset, int length) {
    SnapshotData.checkRange(offset, length, state.size());
    ByteBuffer buffer = ByteBuffer.allocate(length);
    try {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          throw new IOException(state.file() + " is shorter than its recorded " + state.size()
              + " bytes");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pinned snapshot state " + state.file(), e);
    }
    return buffer.array();
  }

  /** A stream from the first byte, by positional reads of the pinned file. */
  @Override
  public InputStream open() {
    return new InputStream() {
      private long position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] into, int off, int len) throws IOException {
        if (position >= state.size()) {
          return -1;
        }
        int n = channel.read(ByteBuffer.wrap(into, off,
            (int) Math.min(len, state.size() - position)), position);
        if (n > 0) {
          position += n;
        }
        return n;
      }
    };
  }

  @Override
  public int crc32c() {
    return state.crc();
  }

  @Override
  public Pin pin() {
    return state.pin();
  }

  @Override
  public String toString() {
    return "SnapshotData[" + state.size() + " bytes in " + state.file().getFileName()
        + ", pinned]";
  }
}
