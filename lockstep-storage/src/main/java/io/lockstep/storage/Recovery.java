package io.lockstep.storage;

import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a data directory back after a crash or a clean stop (X1), changing nothing: it reports
 * the torn tail to cut, the damaged log range and the damaged snapshots to set aside, and the
 * caller repairs once the whole directory was read.
 *
 * <p>The rule that tells a crash from damage: only the end of the last segment can hold bytes
 * that were written but never synced, so a bad record there with no valid record after it is a
 * torn write, and is dropped. A bad record anywhere else, or one followed by valid data, is
 * damage: the records before it are the valid prefix handed to the protocol, which repairs the
 * rest from its peers ({@link Recovered.Damage}). The readable records after it still count:
 * their highest index bounds what this replica may have acknowledged, the highest entry term
 * bounds the terms it may have voted in, and their newest hard state is the newest known.
 * Damage that leaves no safe prefix (a gap, a record that does not decode, a missing segment)
 * still refuses to start ({@link CorruptStorageException}).
 *
 * <p>Zeros after the last record of the last segment are neither: the log writes them ahead of
 * its records ({@link SegmentLog}), and the segment simply ends there. A torn record followed by
 * zeros is still a torn tail, and zeros in an earlier segment (which the log cuts to its last
 * record before starting the next) are damage.
 */
final class Recovery {
  private static final System.Logger LOG = System.getLogger(FileStorage.class.getName());
  private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.log");

  /** A record and where it was found. */
  record Located(LogRecord record, Path file, long sequence, long offset) {}

  /**
   * Bytes at the end of the last segment left half-written by a crash.
   *
   * @param wholeFile the segment holds no valid record at all and goes entirely
   */
  record TornTail(Path file, long validLength, long droppedBytes, String reason,
      boolean wholeFile) {}

  /**
   * What the directory holds.
   *
   * @param segments the segments to continue, oldest first (without a wholly torn last one)
   * @param lastLength valid length of the last of {@code segments}
   * @param tornTail the torn tail to cut, or null
   * @param unusableSnapshots snapshots the log refers to whose files are damaged or missing
   * @param records the records replayed, in order, where they were found (those in a torn
   *     tail or after damage are not among them)
   */
  record Result(Recovered recovered, List<SegmentLog.Segment> segments, long lastLength,
      TornTail tornTail, List<SnapshotFiles.Id> unusableSnapshots, DamageAt damage,
      List<Located> records) {}

  /**
   * Damage in the middle of the log: the segment {@code file} is valid up to {@code offset};
   * it and every later segment ({@code setAside}) hold nothing that is replayed.
   */
  record DamageAt(Path file, long offset, String reason, List<Path> setAside) {}

  private final Path directory;
  private final SnapshotFiles snapshots;
  private final List<Located> records = new ArrayList<>();
  private final List<SegmentLog.Segment> segments = new ArrayList<>();
  private final List<SnapshotFiles.Id> unusableSnapshots = new ArrayList<>();
  private long lastLength;
  private TornTail tornTail;
  private DamageAt damage;
  private final List<Path> setAside = new ArrayList<>();
  private long maxIndexSeen;
  private long maxTermSeen;
  private StorageWrite.HardState laterHardState;

  private Recovery(Path directory, SnapshotFiles snapshots) {
    this.directory = directory;
    this.snapshots = snapshots;
  }

  static Result run(Path directory, SnapshotFiles snapshots) throws IOException {
    Recovery recovery = new Recovery(directory, snapshots);
    List<Long> sequences = recovery.listSegments();
    for (int i = 0; i < sequences.size(); i++) {
      recovery.scanSegment(sequences.get(i), i == sequences.size() - 1);
    }
    return recovery.replayWithFallback();
  }

  private List<Long> listSegments() throws IOException {
    TreeSet<Long> sequences = new TreeSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "segment-*.log")) {
      for (Path file : files) {
        Matcher name = SEGMENT_NAME.matcher(file.getFileName().toString());
        if (name.matches()) {
          sequences.add(Long.parseLong(name.group(1)));
        }
      }
    }
    if (sequences.isEmpty() && !snapshots.list().isEmpty()) {
      throw new CorruptStorageException(directory, "snapshot files exist but no log segment"
          + " does, so the hard state and the log after the snapshot are lost");
    }
    long expected = sequences.isEmpty() ? 0 : sequences.first();
    for (long sequence : sequences) {
      if (sequence != expected) {
        throw new CorruptStorageException(SegmentLog.pathFor(directory, expected),
            "segment " + expected + " is missing between segments " + (expected - 1) + " and "
                + sequence);
      }
      expected++;
    }
    return new ArrayList<>(sequences);
  }

  private void scanSegment(long sequence, boolean last) throws IOException {
    Path file = SegmentLog.pathFor(directory, sequence);
    if (Files.size(file) > Integer.MAX_VALUE - 8) {
      throw new CorruptStorageException(file, "segment is " + Files.size(file)
          + " bytes, larger than any segment this build writes");
    }
    byte[] bytes = snapshots.disk().readAll(file);
    if (damage != null) {
      setAside.add(file);
      readAfterDamage(file, bytes, SegmentFormat.HEADER_BYTES - 1);
      return;
    }
    String headerProblem = SegmentFormat.checkHeader(bytes, bytes.length, sequence);
    int offset = SegmentFormat.HEADER_BYTES;
    long maxEntryIndex = 0;
    boolean empty = true;
    if (headerProblem != null) {
      offset = 0;
      badBytes(file, bytes, 0, "bad segment header: " + headerProblem, last);
    }
    while (headerProblem == null && offset < bytes.length) {
      SegmentFormat.Scan scan = SegmentFormat.scan(bytes, offset, bytes.length);
      if (scan instanceof SegmentFormat.Scan.Invalid bad) {
        if (!(last && SegmentFormat.onlyZerosFrom(bytes, offset))) {
          badBytes(file, bytes, offset, bad.reason(), last);
        } // else the zeros written ahead of the records (SegmentLog): the segment ends here
        break;
      }
      SegmentFormat.Scan.Valid valid = (SegmentFormat.Scan.Valid) scan;
      LogRecord record = decode(file, bytes, offset, valid);
      if (empty && !(record instanceof LogRecord.Checkpoint)) {
        throw new CorruptStorageException(file, offset,
            "segment does not begin with a checkpoint record");
      }
      empty = false;
      records.add(new Located(record, file, sequence, offset));
      see(record);
      if (record instanceof LogRecord.Entries entries) {
        maxEntryIndex = Math.max(maxEntryIndex, entries.last());
      }
      offset = valid.next();
    }
    if (damage != null && damage.file().equals(file)) {
      if (!empty) {
        segments.add(new SegmentLog.Segment(sequence, file, maxEntryIndex));
        lastLength = damage.offset();
      }
      return;
    }
    endSegment(file, sequence, last, bytes.length, offset, maxEntryIndex, empty);
  }

  /** Notes the bounds a readable record sets, before or after the damage. */
  private void see(LogRecord record) {
    if (record instanceof LogRecord.Entries batch) {
      maxIndexSeen = Math.max(maxIndexSeen, batch.last());
      batch.entries().forEach(e -> maxTermSeen = Math.max(maxTermSeen, e.term()));
    } else if (record instanceof LogRecord.Checkpoint checkpoint) {
      maxIndexSeen = Math.max(maxIndexSeen, checkpoint.lastIndex());
    }
  }

  /**
   * Reads what is still readable after the damage, replaying none of it: records are found by
   * their checksums, skipping bad bytes, and only raise the bounds and the newest hard state.
   */
  private void readAfterDamage(Path file, byte[] bytes, int before) {
    int offset = SegmentFormat.nextValidRecord(bytes, before, bytes.length);
    while (offset >= 0 && offset < bytes.length) {
      SegmentFormat.Scan scan = SegmentFormat.scan(bytes, offset, bytes.length);
      if (!(scan instanceof SegmentFormat.Scan.Valid valid)) {
        offset = SegmentFormat.nextValidRecord(bytes, offset, bytes.length);
        continue;
      }
      try {
        LogRecord record = decode(file, bytes, offset, valid);
        see(record);
        if (record instanceof LogRecord.HardState state) {
          laterHardState = state.state();
        } else if (record instanceof LogRecord.Checkpoint checkpoint
            && checkpoint.hardState() != null) {
          laterHardState = checkpoint.hardState();
        }
      } catch (CorruptStorageException e) {
        LOG.log(Level.WARNING, "Ignoring an undecodable record after the damage: {0}",
            e.getMessage());
      }
      offset = valid.next();
    }
  }

  private void endSegment(Path file, long sequence, boolean last, int length, int validLength,
      long maxEntryIndex, boolean empty) throws CorruptStorageException {
    if (!empty) {
      segments.add(new SegmentLog.Segment(sequence, file, maxEntryIndex));
      lastLength = validLength;
    } else if (last) {
      // Nothing in the last segment survived: it goes whole, and the one before continues.
      String reason = tornTail != null ? tornTail.reason()
          : "the segment ends after its header, before its checkpoint record";
      tornTail = new TornTail(file, 0, length, reason, true);
    } else {
      throw new CorruptStorageException(file, SegmentFormat.HEADER_BYTES,
          "segment holds no checkpoint record");
    }
  }

  /** Classifies bad bytes at {@code offset}: a torn tail to cut, or damage to repair. */
  private void badBytes(Path file, byte[] bytes, int offset, String reason, boolean last) {
    int next = SegmentFormat.nextValidRecord(bytes, offset, bytes.length);
    if (!last) {
      reason += "; a later segment exists, so this one was complete and synced: this is not a"
          + " torn write";
    } else if (next >= 0) {
      reason += "; a valid record follows at byte offset " + next + ", so this is not a torn"
          + " write";
    } else {
      tornTail = new TornTail(file, offset, bytes.length - offset, reason, false);
      return;
    }
    damage = new DamageAt(file, offset, reason, setAside);
    readAfterDamage(file, bytes, offset);
  }

  private static LogRecord decode(Path file, byte[] bytes, int offset,
      SegmentFormat.Scan.Valid valid) throws CorruptStorageException {
    try {
      BinaryReader in = new BinaryReader(bytes, valid.payloadOffset(), valid.payloadLength(),
          Codec.VERSION);
      return LogRecord.decode(valid.type(), in);
    } catch (CodecException e) {
      throw new CorruptStorageException(file, offset, "record of type " + valid.type()
          + " has a valid checksum but does not decode (" + e.getMessage()
          + "); was it written by another version?");
    }
  }

  /**
   * Replays the records and loads the snapshot they end with. If that snapshot's file is
   * unusable, tries again as if it had never been taken: exact when the log still holds what
   * an older snapshot does not cover (the previous snapshot is kept until the new one is
   * durable, so a crash during a snapshot loses nothing).
   */
  private Result replayWithFallback() throws IOException {
    Set<Long> skipped = new TreeSet<>();
    CorruptStorageException snapshotProblem = null;
    while (true) {
      Replay replay;
      try {
        replay = replay(skipped, snapshotProblem);
      } catch (CorruptStorageException e) {
        if (snapshotProblem == null || damage != null) {
          throw e;
        }
        return snapshotLost(e);
      }
      if (replay.snapshotIndex() == 0) {
        return result(replay, null);
      }
      SnapshotFiles.Loaded loaded = snapshots.load(replay.snapshotIndex(), replay.snapshotTerm());
      if (loaded instanceof SnapshotFiles.Loaded.Valid valid) {
        return result(replay, valid.snapshot());
      }
      SnapshotFiles.Loaded.Unusable unusable = (SnapshotFiles.Loaded.Unusable) loaded;
      if (snapshotProblem == null) {
        snapshotProblem = new CorruptStorageException(unusable.file(),
            "snapshot " + replay.snapshotIndex() + " is unusable: " + unusable.reason());
      }
      LOG.log(Level.WARNING, "Snapshot file {0} is unusable ({1}); trying an older snapshot"
          + " and the log instead", unusable.file(), unusable.reason());
      skipped.add(replay.snapshotIndex());
      unusableSnapshots.add(new SnapshotFiles.Id(replay.snapshotIndex(), replay.snapshotTerm()));
    }
  }

  private Replay replay(Set<Long> skipped, CorruptStorageException snapshotProblem)
      throws CorruptStorageException {
    Replay replay = new Replay(skipped);
    try {
      for (Located located : records) {
        replay.apply(located.record(), located.file(), located.offset());
      }
      replay.finish(directory);
      return replay;
    } catch (CorruptStorageException e) {
      if (snapshotProblem == null) {
        throw e;
      }
      throw new CorruptStorageException(snapshotProblem.file(), snapshotProblem.problem()
          + "; no older snapshot can stand in for it, because at " + e.file()
          + (e.offset() >= 0 ? " byte offset " + e.offset() : "") + ": " + e.problem());
    }
  }

  /**
   * The newest snapshot is unusable and nothing older can stand in for it: the snapshot and the
   * log after it are reported lost, for the protocol to repair from its peers (a snapshot from
   * the leader). Every segment is set aside; the newest readable hard state is kept.
   */
  private Result snapshotLost(CorruptStorageException problem) throws CorruptStorageException {
    StorageWrite.HardState newest = null;
    for (Located located : records) {
      if (located.record() instanceof LogRecord.HardState state) {
        newest = state.state();
      } else if (located.record() instanceof LogRecord.Checkpoint checkpoint
          && checkpoint.hardState() != null) {
        newest = checkpoint.hardState();
      }
    }
    List<Path> all = new ArrayList<>();
    segments.forEach(segment -> all.add(segment.path));
    if (tornTail != null && tornTail.wholeFile()) {
      all.add(tornTail.file());
    }
    if (all.isEmpty()) {
      throw problem;
    }
    Path first = all.get(0);
    DamageAt lost = new DamageAt(first, 0, problem.getMessage(), all.subList(1, all.size()));
    Recovered.Damage damageReport = new Recovered.Damage(1, maxIndexSeen, maxTermSeen,
        problem.file() + ": " + problem.problem());
    Recovered recovered = new Recovered(newest, null, List.of(), damageReport);
    return new Result(recovered, List.of(), 0, null, unusableSnapshots, lost, List.of());
  }

  private Result result(Replay replay, Snapshot snapshot) {
    Recovered recovered;
    if (damage == null) {
      recovered = new Recovered(replay.hardState(), snapshot, replay.entries());
    } else {
      long last = replay.lastIndex();
      Recovered.Damage lost = new Recovered.Damage(last + 1, Math.max(last, maxIndexSeen),
          maxTermSeen, damage.file() + " at byte offset " + damage.offset() + ": "
          + damage.reason());
      StorageWrite.HardState newest = laterHardState != null ? laterHardState
          : replay.hardState();
      recovered = new Recovered(newest, snapshot, replay.entries(), lost);
    }
    return new Result(recovered, segments, lastLength, tornTail, unusableSnapshots, damage,
        List.copyOf(records));
  }
}
