package io.lockstep.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The stream {@link SnapshotStateWriter} writes a state file through: buffered, with a running
 * CRC32C of what the state machine wrote, in one of two modes.
 *
 * <p><b>Direct</b> (the file was opened with {@code O_DIRECT}): each full buffer goes to the
 * device as it is written, bypassing the page cache, so the file never has dirty pages for the
 * log's fsyncs to wait behind, and needs one force at the end (for its size and block map).
 * Direct writes must be whole, aligned blocks: the buffer is aligned, only full buffers are
 * written on the way, and {@link #finish} pads the last block with zeros and then cuts the file
 * back to its true size.
 *
 * <p><b>Buffered</b> (where direct I/O is refused): writes go through the page cache, and the
 * file is forced after every {@code forceEveryBytes}, so that no more than that is ever dirty.
 */
final class StateFileOutput extends OutputStream {
  /** Bytes written to the channel at a time (a multiple of every block size accepted). */
  static final int BUFFER = 256 * 1024;

  private final FileChannel channel;
  private final Disk disk;
  private final CRC32C crc;
  private final ByteBuffer buffer;
  private final int block;
  private final long forceEveryBytes;
  private long written;
  private long unforced;

  private StateFileOutput(FileChannel channel, Disk disk, CRC32C crc, ByteBuffer buffer,
      int block, long forceEveryBytes) {
    this.channel = channel;
    this.disk = disk;
    this.crc = crc;
    this.buffer = buffer;
    this.block = block;
    this.forceEveryBytes = forceEveryBytes;
  }

  /** Through the page cache, forced every {@code forceEveryBytes}. */
  static StateFileOutput buffered(FileChannel channel, Disk disk, CRC32C crc,
      long forceEveryBytes) {
    return new StateFileOutput(channel, disk, crc, ByteBuffer.allocate(BUFFER), 0,
        forceEveryBytes);
  }

  /** Into a channel opened for direct I/O on a file system of {@code block}-byte blocks. */
  static StateFileOutput direct(FileChannel channel, Disk disk, CRC32C crc, int block) {
    if (block <= 0 || BUFFER % block != 0) {
      throw new IllegalArgumentException("block size " + block + " does not divide the "
          + BUFFER + "-byte buffer");
    }
    ByteBuffer aligned = ByteBuffer.allocateDirect(BUFFER + block).alignedSlice(block)
        .limit(BUFFER).slice();
    return new StateFileOutput(channel, disk, crc, aligned, block, Long.MAX_VALUE);
  }

  /** Whether the file bypasses the page cache. */
  boolean direct() {
    return block > 0;
  }

  @Override
  public void write(int b) throws IOException {
    if (!buffer.hasRemaining()) {
      drain();
    }
    buffer.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      if (!buffer.hasRemaining()) {
        drain();
      }
      int n = Math.min(len, buffer.remaining());
      buffer.put(b, off, n);
      off += n;
      len -= n;
    }
  }

  /**
   * Does nothing: what the state machine's layers flush on the way need not reach the file
   * before {@link #finish} forces it, and a direct write can only be whole blocks.
   */
  @Override
  public void flush() {}

  /** Writes the full buffer, and forces the file when a buffered one has enough unforced. */
  private void drain() throws IOException {
    buffer.flip();
    crc.update(buffer.duplicate());
    written += buffer.remaining();
    unforced += buffer.remaining();
    disk.write(channel, buffer);
    buffer.clear();
    if (unforced >= forceEveryBytes) {
      disk.force(channel);
      unforced = 0;
    }
  }

  /** Writes what is buffered, cuts off any padding, forces the file; returns its size. */
  long finish() throws IOException {
    int tail = buffer.position();
    buffer.flip();
    crc.update(buffer.duplicate());
    written += tail;
    if (block > 0) {
      int padded = (tail + block - 1) / block * block;
      buffer.limit(padded);
      for (int i = tail; i < padded; i++) {
        buffer.put(i, (byte) 0);
      }
    }
    if (buffer.hasRemaining()) {
      disk.write(channel, buffer);
    }
    buffer.clear();
    if (channel.size() != written) {
      channel.truncate(written);
    }
    disk.force(channel);
    return written;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
