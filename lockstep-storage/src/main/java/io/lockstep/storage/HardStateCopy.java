package io.lockstep.storage;

import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A second copy of the newest hard state, in its own file ({@code hard-state}), so that damage
 * to the newest hard state record of the log is never silently forgotten. That record is often
 * the last one of the log, and a bad last record looks exactly like the torn write of a crash,
 * which recovery cuts off; had it recorded a vote the replica already sent, the replica would
 * restart without it and could vote twice in that term (the "lost vote" of protocol-aware
 * recovery).
 *
 * <p>The copy is written atomically (temporary file, force, rename, force the directory) after
 * the log's fsync that made the hard state durable and before anything waiting for that fsync
 * goes out, and it records where the log ended then ({@link LogEnd}). At recovery:
 *
 * <ul>
 *   <li>the log's valid records reach that end: the log's newest hard state is at least as new
 *       as the copy (a crash between the log's fsync and the copy leaves an older copy), so the
 *       log's is used, exactly as without a copy;
 *   <li>the log ends before it (its last records were cut as a torn write, or damage was set
 *       aside): durable records were lost, and the copy's hard state is used;
 *   <li>the copy is damaged (an atomic file is never torn, so this is damage at rest): the log's
 *       newest readable hard state is used, and recovery reports damage, so the protocol repairs
 *       before it votes again.
 * </ul>
 *
 * <p>Cost: two more fsyncs per group commit that holds a hard state, which happens at term
 * changes and votes, not per entry. Format: u32 magic "LSHS", i64 segment sequence, i64 segment
 * length, u32 state length, the state, u32 crc32c of all before it.
 */
final class HardStateCopy {
  static final String NAME = "hard-state";
  private static final int MAGIC = 0x4C534853;
  /** Magic, log end (two longs) and the state's length. */
  private static final int HEADER = 4 + 16 + 4;

  private HardStateCopy() {}

  /** Where the log ended: a segment's sequence and its length in bytes; ordered. */
  record LogEnd(long sequence, long length) {
    /** True if a log ending here holds every record of a log ending at {@code other}. */
    boolean reaches(LogEnd other) {
      return sequence > other.sequence || sequence == other.sequence && length >= other.length;
    }
  }

  static Path path(Path directory) {
    return directory.resolve(NAME);
  }

  /** What recovery found: the copy, none, or why it cannot be used. */
  sealed interface Found {
    /** No copy (a directory written before copies existed, or no hard state yet). */
    record None() implements Found {}

    /** An intact copy, written when the log ended at {@code end}. */
    record Intact(StorageWrite.HardState state, LogEnd end) implements Found {}

    /** A damaged copy, set aside as {@code hard-state.damaged} by the caller. */
    record Damaged(String reason) implements Found {}
  }

  static void write(Path directory, Disk disk, StorageWrite.HardState state, LogEnd end)
      throws IOException {
    byte[] bytes = state.state();
    ByteBuffer out = ByteBuffer.allocate(HEADER + 4 + bytes.length);
    out.putInt(MAGIC).putLong(end.sequence()).putLong(end.length()).putInt(bytes.length)
        .put(bytes);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue()).flip();
    Path temporary = directory.resolve(NAME + ".tmp");
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      disk.write(channel, out);
      disk.force(channel);
    }
    Files.move(temporary, path(directory), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    disk.forceDirectory(directory);
  }

  static Found read(Path directory, Disk disk) throws IOException {
    Path file = path(directory);
    if (!Files.exists(file)) {
      return new Found.None();
    }
    byte[] bytes = disk.readAll(file);
    if (bytes.length < HEADER + 4) {
      return new Found.Damaged(file.getFileName() + " is " + bytes.length + " bytes long");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int magic = in.getInt();
    LogEnd end = new LogEnd(in.getLong(), in.getLong());
    int length = in.getInt();
    if (magic != MAGIC || length < 0 || length != bytes.length - HEADER - 4) {
      return new Found.Damaged(file.getFileName() + " has a bad header");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, HEADER + length);
    if ((int) crc.getValue() != in.getInt(HEADER + length)) {
      return new Found.Damaged(file.getFileName() + " fails its checksum");
    }
    return new Found.Intact(new StorageWrite.HardState(
        Arrays.copyOfRange(bytes, HEADER, HEADER + length)), end);
  }

  /** Moves a damaged copy aside for diagnosis; the next hard state written replaces it. */
  static void setAside(Path directory, Disk disk) throws IOException {
    Path file = path(directory);
    Files.move(file, file.resolveSibling(NAME + ".damaged"), StandardCopyOption.REPLACE_EXISTING);
    disk.forceDirectory(directory);
  }
}
