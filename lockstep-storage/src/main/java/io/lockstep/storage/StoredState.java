package io.lockstep.storage;

import io.lockstep.order.SnapshotData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A snapshot's encoded state in its own durable file, written by {@link SnapshotStateWriter}:
 * read as a stream or in ranges, never loaded whole, so a large state costs no heap to keep,
 * recover or send.
 *
 * @param file the state file
 * @param size its length in bytes
 * @param crc CRC32C of its content, recorded when written and checked when recovered
 */
record StoredState(Path file, long size, int crc) implements SnapshotData {
  @Override
  public InputStream open() throws IOException {
    return Files.newInputStream(file);
  }

  @Override
  public byte[] read(long offset, int length) {
    SnapshotData.checkRange(offset, length, size);
    ByteBuffer buffer = ByteBuffer.allocate(length);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          throw new IOException(file + " is shorter than its recorded " + size + " bytes");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot state " + file, e);
    }
    return buffer.array();
  }

  /** The checksum recorded when the file was written (checked when it was recovered). */
  @Override
  public int crc32c() {
    return crc;
  }

  /**
   * Holds the file open: on the POSIX file systems the server runs on, an open file stays
   * readable after compaction unlinks it, and its space is reclaimed when the pin is released.
   */
  @Override
  public Pin pin() {
    return new PinnedState(this);
  }

  @Override
  public String toString() {
    return "SnapshotData[" + size + " bytes in " + file.getFileName() + "]";
  }
}
