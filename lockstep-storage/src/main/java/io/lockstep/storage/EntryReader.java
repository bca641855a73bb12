package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads stored log entries back by index ({@link FileStorage#readEntries}): each record is
 * found through {@link EntryLocations}, read with one positioned read and checked against its
 * CRC32C before it is decoded, so damage is reported ({@link CorruptStorageException}), never
 * returned as entries.
 */
final class EntryReader {
  private final Path directory;
  private final Disk disk;

  EntryReader(Path directory, Disk disk) {
    this.directory = directory;
    this.disk = disk;
  }

  /**
   * The consecutive entries from {@code from} on, at most up to {@code to}, stopping after the
   * record that brings their encoded size to {@code maxBytes} (at least one entry when
   * {@code from} is stored). Empty when {@code from} is not stored (compacted, or past the end).
   */
  List<LogEntry> read(List<EntryLocations.Span> spans, long from, long to, long maxBytes)
      throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    long next = from;
    long bytes = 0;
    for (EntryLocations.Span span : spans) {
      if (span.first() > next || bytes >= maxBytes) {
        break; // a gap (compacted or never stored) or the budget is spent
      }
      Path file = SegmentLog.pathFor(directory, span.sequence());
      byte[] record = readRecord(file, span.offset());
      bytes += record.length;
      for (LogEntry entry : decode(file, span, record)) {
        if (entry.index() == next && next <= Math.min(to, span.last())) {
          entries.add(entry);
          next++;
        }
      }
    }
    return entries;
  }

  /** The whole framed record at {@code offset}, its checksum verified. */
  private byte[] readRecord(Path file, long offset) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_BYTES);
      if (!disk.readAt(channel, header, offset)) {
        throw new CorruptStorageException(file, offset, "the file ends inside the header of a"
            + " record of log entries it should hold");
      }
      long length = header.getInt(0) & 0xFFFF_FFFFL;
      if (length > SegmentFormat.MAX_RECORD_PAYLOAD) {
        throw new CorruptStorageException(file, offset, "record length " + length
            + " exceeds the limit of " + SegmentFormat.MAX_RECORD_PAYLOAD);
      }
      ByteBuffer whole = ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_BYTES + (int) length);
      if (!disk.readAt(channel, whole, offset)) {
        throw new CorruptStorageException(file, offset, "the file ends inside a record of log"
            + " entries of " + length + " bytes");
      }
      byte[] bytes = whole.array();
      if (SegmentFormat.scan(bytes, 0, bytes.length) instanceof SegmentFormat.Scan.Invalid bad) {
        throw new CorruptStorageException(file, offset, "reading log entries back: "
            + bad.reason());
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new CorruptStorageException(file, offset, "the segment holding log entries is gone");
    }
  }

  private static List<LogEntry> decode(Path file, EntryLocations.Span span, byte[] bytes)
      throws CorruptStorageException {
    LogRecord record;
    try {
      record = LogRecord.decode(bytes[8] & 0xFF, new BinaryReader(bytes,
          SegmentFormat.RECORD_HEADER_BYTES, bytes.length - SegmentFormat.RECORD_HEADER_BYTES,
          Codec.VERSION));
    } catch (CodecException e) {
      throw new CorruptStorageException(file, span.offset(), "a record of log entries has a valid"
          + " checksum but does not decode (" + e.getMessage() + ")");
    }
    if (!(record instanceof LogRecord.Entries batch) || batch.first() != span.first()
        || batch.last() < span.last()) {
      throw new CorruptStorageException(file, span.offset(), "expected a record of entries "
          + span.first() + " to " + span.last() + ", found " + describe(record));
    }
    return batch.entries();
  }

  private static String describe(LogRecord record) {
    return record instanceof LogRecord.Entries batch
        ? "entries " + batch.first() + " to " + batch.last() : "a record of type " + record.type();
  }
}
