package io.lockstep.storage;

import io.lockstep.storage.codec.BinaryWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The log's segment files on the write side: appends framed records to the active segment
 * through a buffer, rolls to a new segment at a size, forces on {@link #sync}, and deletes old
 * segments once a snapshot covers them (X2 log compaction).
 *
 * <p>Rolling forces the old segment before the new one is created, so every segment but the
 * last is complete and durable: damage in an older segment is never a torn write. Each segment
 * begins with a {@link LogRecord.Checkpoint} of the state at that point, so deleting a prefix of
 * the segments loses nothing a snapshot does not cover.
 *
 * <p>The active segment is written with zeros ahead of its records ({@link #PREPARE_BYTES} at a
 * time), so that the fdatasync of a group commit overwrites blocks the file already has and
 * forces data only. Appending instead grows the file at every sync, and each growth makes the
 * fdatasync write the new size and block map too (an inode write, or a journal commit where the
 * file system has a journal): more device writes and system CPU per fsync, which a PBFT replica
 * (an fsync or more per sequence number) pays on every batch (docs/BENCHMARKS.md, "Segments
 * written ahead"). Recovery reads zeros after the last record of the last segment as
 * its end ({@link Recovery}); a segment is cut to its last record before the next one starts, so
 * only the last segment ever holds zeros.
 */
final class SegmentLog implements AutoCloseable {
  /** Buffered records are written to the file once this many bytes are pending. */
  private static final int FLUSH_BYTES = 1 << 20;

  /** Zeros written ahead of the active segment's records at a time (at most a segment). */
  static final int PREPARE_BYTES = 1 << 20;

  private static final byte[] ZEROS = new byte[PREPARE_BYTES];

  /** One segment file and the highest entry index it ever held (for compaction). */
  static final class Segment {
    final long sequence;
    final Path path;
    long maxEntryIndex;

    Segment(long sequence, Path path, long maxEntryIndex) {
      this.sequence = sequence;
      this.path = path;
      this.maxEntryIndex = maxEntryIndex;
    }
  }

  private final Path directory;
  private final Disk disk;
  private final long segmentBytes;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private final BinaryWriter pending = new BinaryWriter(64 * 1024);
  private FileChannel active;
  private long activeFlushed;
  /**
   * The active segment's bytes below this are records or zeros written ahead of them. Records
   * and zeros are both written at explicit offsets ({@link #activeFlushed}, this), never at the
   * channel's position.
   */
  private long preparedTo;
  private int activeRecords;
  private boolean dataDirty;
  private boolean directoryDirty;

  private SegmentLog(Path directory, Disk disk, long segmentBytes) {
    this.directory = directory;
    this.disk = disk;
    this.segmentBytes = segmentBytes;
  }

  static Path pathFor(Path directory, long sequence) {
    return directory.resolve(String.format("segment-%020d.log", sequence));
  }

  /** Continues the recovered segments, appending to the last at {@code lastLength}. */
  static SegmentLog resume(Path directory, Disk disk, long segmentBytes, List<Segment> recovered,
      long lastLength) throws IOException {
    SegmentLog log = new SegmentLog(directory, disk, segmentBytes);
    log.segments.addAll(recovered);
    log.active = FileChannel.open(log.segments.getLast().path, StandardOpenOption.WRITE);
    log.activeFlushed = lastLength;
    log.preparedTo = log.active.size(); // past lastLength only zeros are left (see Recovery)
    // Count the recovered segment as holding records beyond its checkpoint, so it may roll.
    log.activeRecords = 2;
    return log;
  }

  /** Starts a log with its first segment. */
  static SegmentLog create(Path directory, Disk disk, long segmentBytes,
      LogRecord.Checkpoint start) throws IOException {
    SegmentLog log = new SegmentLog(directory, disk, segmentBytes);
    log.startSegment(1, start);
    return log;
  }

  /**
   * Appends {@code record}; {@code start} is the state before it, used as the checkpoint if the
   * record opens a new segment. Returns the byte offset where the record begins in the segment
   * appended to now ({@link #lastSequence()}).
   */
  long append(LogRecord record, LogRecord.Checkpoint start) throws IOException {
    int begin = SegmentFormat.beginRecord(pending, record.type());
    record.encode(pending);
    SegmentFormat.endRecord(pending, begin);
    if (activeRecords > 1 && activeFlushed + pending.position() > segmentBytes) {
      byte[] bytes = Arrays.copyOfRange(pending.array(), begin, pending.position());
      pending.truncate(begin);
      roll(start);
      begin = pending.position();
      pending.writeRaw(bytes, 0, bytes.length);
    }
    long offset = activeFlushed + begin;
    activeRecords++;
    if (record instanceof LogRecord.Entries entries) {
      Segment segment = segments.getLast();
      segment.maxEntryIndex = Math.max(segment.maxEntryIndex, entries.last());
    }
    dataDirty = true;
    if (pending.position() >= FLUSH_BYTES) {
      flush();
    }
    return offset;
  }

  private void roll(LogRecord.Checkpoint start) throws IOException {
    flush();
    // Cut the zeros written ahead, durably, before a later segment exists: only the last
    // segment may end in zeros, so anything unreadable in an earlier one is damage.
    active.truncate(activeFlushed);
    disk.forceAll(active);
    active.close();
    startSegment(segments.getLast().sequence + 1, start);
  }

  private void startSegment(long sequence, LogRecord.Checkpoint start) throws IOException {
    Path path = pathFor(directory, sequence);
    active = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    segments.addLast(new Segment(sequence, path, 0));
    activeFlushed = 0;
    preparedTo = 0;
    activeRecords = 0;
    SegmentFormat.writeHeader(pending, sequence);
    int begin = SegmentFormat.beginRecord(pending, start.type());
    start.encode(pending);
    SegmentFormat.endRecord(pending, begin);
    activeRecords = 1;
    dataDirty = true;
    directoryDirty = true;
  }

  /**
   * Writes the buffered records to the file without forcing them, so that a read of the file
   * sees every record appended so far.
   */
  void flush() throws IOException {
    if (pending.position() > 0) {
      prepareThrough(activeFlushed + pending.position());
      ByteBuffer records = ByteBuffer.wrap(pending.array(), 0, pending.position());
      disk.writeAt(active, records, activeFlushed);
      activeFlushed += pending.position();
      pending.reset();
    }
  }

  /** Writes zeros ahead of the records until the file holds {@code end} bytes or more. */
  private void prepareThrough(long end) throws IOException {
    int step = (int) Math.min(PREPARE_BYTES, segmentBytes);
    while (preparedTo < end) {
      disk.writeAt(active, ByteBuffer.wrap(ZEROS, 0, step), preparedTo);
      preparedTo += step;
    }
  }

  /** Makes every appended record durable; returns false when there was nothing to force. */
  boolean sync() throws IOException {
    flush();
    boolean forced = dataDirty || directoryDirty;
    if (dataDirty) {
      disk.force(active);
      dataDirty = false;
    }
    if (directoryDirty) {
      disk.forceDirectory(directory);
      directoryDirty = false;
    }
    return forced;
  }

  /**
   * Deletes the oldest segments whose entries all lie at or below {@code snapshotIndex}, never
   * the active one. One at a time, oldest first, each deletion made durable before the next, so
   * that a crash leaves a contiguous run of segments.
   */
  int compact(long snapshotIndex) throws IOException {
    int deleted = 0;
    while (segments.size() > 1 && segments.getFirst().maxEntryIndex <= snapshotIndex) {
      Files.delete(segments.removeFirst().path);
      disk.forceDirectory(directory);
      deleted++;
    }
    return deleted;
  }

  /** Sequence of the segment appended to now. */
  long lastSequence() {
    return segments.getLast().sequence;
  }

  /** Bytes written to the segment appended to now (all of them durable right after a sync). */
  long lastLength() {
    return activeFlushed;
  }

  /** Sequence of the oldest segment still kept. */
  long firstSequence() {
    return segments.getFirst().sequence;
  }

  /** Number of segment files. */
  int segmentCount() {
    return segments.size();
  }

  @Override
  public void close() throws IOException {
    active.close();
  }
}
