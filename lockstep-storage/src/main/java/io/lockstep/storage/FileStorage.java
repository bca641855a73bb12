package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link StableStorage} in a directory of plain files, in pure Java (X1, X2).
 *
 * <p>Layout: {@code segment-NNNNNNNNNNNNNNNNNNNN.log} files of checksummed records (hard states,
 * batches of entries, snapshot marks; see {@link SegmentFormat}), rolled at
 * {@link Options#segmentBytes()}; {@code snapshot-NNNNNNNNNNNNNNNNNNNN.snap} files named by
 * index and written atomically; a {@code lock} file that keeps a second process out.
 *
 * <p>A {@link StorageWrite.SaveSnapshot} is written to its own file and made durable during
 * {@link #write}, because the log record that refers to it must never reach the disk first.
 * Once a snapshot's record is durable, {@link #sync} deletes the segments it covers and the
 * older snapshot files (log compaction). Recovery rules: see {@link #recover}.
 */
public final class FileStorage implements StableStorage {
  /**
   * The operator's file saying this replica's data directory was lost: created in the empty
   * directory before the replica starts, it makes the replica rejoin in repair mode.
   */
  public static final String REJOIN_EMPTY = "rejoin-empty";
  private static final System.Logger LOG = System.getLogger(FileStorage.class.getName());

  /**
   * Tuning.
   *
   * @param segmentBytes segment files roll once they exceed this size (1 KiB to 1 GiB)
   */
  public record Options(long segmentBytes) {
    /** Default segment size: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;

    public Options {
      if (segmentBytes < 1024 || segmentBytes > (1L << 30)) {
        throw new IllegalArgumentException(
            "segmentBytes must be between 1 KiB and 1 GiB, was " + segmentBytes);
      }
    }

    /** The defaults. */
    public static Options defaults() {
      return new Options(DEFAULT_SEGMENT_BYTES);
    }
  }

  private final Path directory;
  private final Options options;
  private final Disk disk;
  private final SnapshotFiles snapshots;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private LogShape shape;
  private SegmentLog log;
  private final EntryLocations locations = new EntryLocations();
  private boolean compactionDue;
  /** A repair marker waits for a durable hard state written after it ({@link RepairMarker}). */
  private boolean repairPending;
  private boolean hardStateWritten;
  /** The newest hard state written since the last sync, copied once that sync is done. */
  private StorageWrite.HardState unsyncedHardState;
  private IOException failure;
  private boolean closed;

  private FileStorage(Path directory, Options options, Disk disk, FileChannel lockChannel,
      FileLock lock) {
    this.directory = directory;
    this.options = options;
    this.disk = disk;
    this.snapshots = new SnapshotFiles(directory, disk);
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Opens (creating if needed) the storage in {@code directory} with default options. */
  public static FileStorage open(Path directory) throws IOException {
    return open(directory, Options.defaults());
  }

  /**
   * Opens (creating if needed) the storage in {@code directory}. Takes an exclusive lock on the
   * directory so that two replicas never share it.
   *
   * @throws IOException if the directory cannot be created or is in use by another process
   */
  public static FileStorage open(Path directory, Options options) throws IOException {
    return open(directory, options, new Disk());
  }

  /**
   * Opens the storage with a fault switch on its disk, for tests and failure drills: see
   * {@link DiskFaults}. Production code uses {@link #open(Path, Options)}.
   */
  public static FileStorage open(Path directory, Options options, DiskFaults faults)
      throws IOException {
    return open(directory, options, new Disk(Objects.requireNonNull(faults, "faults")));
  }

  static FileStorage open(Path directory, Options options, Disk disk) throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(options, "options");
    Files.createDirectories(directory);
    Path lockFile = directory.resolve("lock");
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IOException(directory + " is in use by another replica (its lock file "
          + lockFile + " is held); two replicas must never share a data directory");
    }
    return new FileStorage(directory.toAbsolutePath(), options, disk, channel, lock);
  }

  /** The data directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Writes this replica's own snapshots into the data directory from a thread of the caller's
   * choosing; a {@link StorageWrite.SaveSnapshot} of what it returns then only records it.
   */
  public SnapshotStateWriter snapshotStateWriter() {
    return new SnapshotStateWriter(directory, disk);
  }

  /**
   * Where the protocol puts snapshots it receives from peers: written to this data directory
   * chunk by chunk, never held whole on the heap. For the loop thread only.
   */
  public ReceivedSnapshots snapshotReceiver() {
    return new ReceivedSnapshots(directory, disk);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A bad or partial record at the very end of the last segment, with nothing valid after it,
   * is the torn write of a crash: it is cut off and a warning logged with the bytes dropped.
   * Anything else that does not check out throws {@link CorruptStorageException}. If the newest
   * snapshot's file is damaged, an older snapshot and the log stand in for it when they can.
   */
  @Override
  public Recovered recover() throws IOException {
    checkUsable();
    if (log != null) {
      throw new IllegalStateException("recover() was already called on " + directory);
    }
    int temporaries = snapshots.deleteTemporaries();
    if (temporaries > 0) {
      LOG.log(Level.INFO, "Deleted {0} unfinished snapshot file(s) in {1}", temporaries,
          directory);
    }
    Recovered.Damage pending = RepairMarker.read(directory);
    Recovery.Result result = Recovery.run(directory, snapshots);
    HardStateCopy.Found copy = HardStateCopy.read(directory, disk);
    Recovered recovered = withRejoinEmpty(withPendingDamage(withHardStateCopy(result, copy),
        pending));
    if (recovered.damage() != null) {
      // Durable before any file changes: a crash while the damage is set aside must not make
      // the next start see a short but valid-looking log and forget what it may have promised.
      RepairMarker.write(directory, disk, recovered.damage());
      repairPending = true;
    }
    if (Files.deleteIfExists(directory.resolve(REJOIN_EMPTY))) {
      disk.forceDirectory(directory); // the marker now carries the operator's statement
    }
    if (copy instanceof HardStateCopy.Found.Damaged) {
      HardStateCopy.setAside(directory, disk);
    }
    setAsideDamage(result.damage());
    repair(result);
    shape = LogShape.of(recovered);
    log = result.segments().isEmpty()
        ? SegmentLog.create(directory, disk, options.segmentBytes(), shape.checkpoint())
        : SegmentLog.resume(directory, disk, options.segmentBytes(), result.segments(),
            result.lastLength());
    compactionDue = recovered.snapshot() != null;
    for (Recovery.Located located : result.records()) {
      locate(located.record(), located.sequence(), located.offset());
    }
    LOG.log(Level.INFO, "Recovered {0}: hard state {1}, snapshot at {2}, {3} log entries up to"
        + " index {4}", directory, recovered.hardState(), shape.snapshotIndex(),
        recovered.entries().size(), shape.lastIndex());
    if (recovered.damage() != null) {
      LOG.log(Level.WARNING, "Storage in {0} is damaged ({1}); entries from {2} on are lost here"
          + " and this replica may have acknowledged up to {3}: it repairs them from its peers"
          + " before it votes or acknowledges again", directory, recovered.damage().description(),
          recovered.damage().damagedFrom(), recovered.damage().acknowledgedBound());
    }
    return recovered;
  }

  /**
   * The copy of the newest hard state stands in for the log's when the log lost records the
   * copy's fsync covered; a damaged copy is damage: the vote it recorded may be newer than
   * anything the log still shows, so the protocol must repair before voting (see
   * {@link HardStateCopy}).
   */
  private Recovered withHardStateCopy(Recovery.Result result, HardStateCopy.Found copy) {
    Recovered recovered = result.recovered();
    if (copy instanceof HardStateCopy.Found.Intact intact) {
      HardStateCopy.LogEnd logEnd = result.segments().isEmpty() ? new HardStateCopy.LogEnd(0, 0)
          : new HardStateCopy.LogEnd(result.segments().get(result.segments().size() - 1)
              .sequence, result.lastLength());
      if (logEnd.reaches(intact.end()) || intact.state().equals(recovered.hardState())) {
        return recovered;
      }
      LOG.log(Level.WARNING, "The log of {0} lost records that were durable (it ends at {1},"
          + " its hard state was copied at {2}); using the hard state from {3}", directory,
          logEnd, intact.end(), HardStateCopy.NAME);
      return new Recovered(intact.state(), recovered.snapshot(), recovered.entries(),
          recovered.damage());
    }
    if (!(copy instanceof HardStateCopy.Found.Damaged damaged)) {
      return recovered;
    }
    List<LogEntry> entries = recovered.entries();
    Snapshot snapshot = recovered.snapshot();
    long last = !entries.isEmpty() ? entries.get(entries.size() - 1).index()
        : snapshot == null ? 0 : snapshot.index();
    long maxTerm = Math.max(snapshot == null ? 0 : snapshot.term(),
        entries.stream().mapToLong(LogEntry::term).max().orElse(0));
    Recovered.Damage damage = new Recovered.Damage(last + 1, last, maxTerm,
        "the newest hard state is damaged (" + damaged.reason() + ")");
    return new Recovered(recovered.hardState(), snapshot, entries,
        damage.merge(recovered.damage()));
  }

  /**
   * The operator's statement that this replica's data directory was lost (a file named
   * {@value #REJOIN_EMPTY} in an otherwise empty directory): storage cannot tell a wiped
   * directory from a first start, but the replica may have voted and acknowledged entries before
   * the loss, so it is reported as damage from index 1 and the protocol repairs before it votes.
   * Refused when the directory still holds a log, a snapshot or a hard state.
   */
  private Recovered withRejoinEmpty(Recovered recovered) throws IOException {
    if (!Files.exists(directory.resolve(REJOIN_EMPTY))) {
      return recovered;
    }
    if (recovered.hardState() != null || recovered.snapshot() != null
        || !recovered.entries().isEmpty()) {
      throw new IOException(directory + " holds " + REJOIN_EMPTY + ", the operator's statement"
          + " that this replica's data was lost, but also a log, snapshot or hard state; remove"
          + " one or the other");
    }
    Recovered.Damage lost = new Recovered.Damage(1, 0, 0, "the operator says this replica's"
        + " data directory was lost (" + REJOIN_EMPTY + "); it rejoins empty");
    return new Recovered(null, null, List.of(), lost.merge(recovered.damage()));
  }

  private static Recovered withPendingDamage(Recovered recovered, Recovered.Damage pending) {
    if (pending == null) {
      return recovered;
    }
    Recovered.Damage damage = recovered.damage() == null ? pending
        : recovered.damage().merge(pending);
    return new Recovered(recovered.hardState(), recovered.snapshot(), recovered.entries(), damage);
  }

  /**
   * Keeps the damaged bytes for diagnosis ({@code .damaged} copies) and out of the log: the
   * damaged segment is cut where the damage starts, later segments are moved aside.
   */
  private void setAsideDamage(Recovery.DamageAt damage) throws IOException {
    if (damage == null) {
      return;
    }
    Path copy = damage.file().resolveSibling(damage.file().getFileName() + ".damaged");
    boolean keepsPrefix = damage.offset() > SegmentFormat.HEADER_BYTES;
    if (keepsPrefix) {
      Files.copy(damage.file(), copy, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel channel = FileChannel.open(damage.file(), StandardOpenOption.WRITE)) {
        channel.truncate(damage.offset());
        disk.force(channel);
      }
    } else {
      Files.move(damage.file(), copy, StandardCopyOption.REPLACE_EXISTING);
    }
    for (Path later : damage.setAside()) {
      Files.move(later, later.resolveSibling(later.getFileName() + ".damaged"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    disk.forceDirectory(directory);
    LOG.log(Level.WARNING, "Set aside the damaged log from {0} byte offset {1} ({2} later"
        + " segment(s) moved to *.damaged)", damage.file(), damage.offset(),
        damage.setAside().size());
  }

  private void repair(Recovery.Result result) throws IOException {
    Recovery.TornTail torn = result.tornTail();
    if (torn != null) {
      if (torn.wholeFile() && result.segments().isEmpty() && !isFirstSegment(torn.file())) {
        throw new CorruptStorageException(torn.file(), 0, "the only segment left after"
            + " compaction holds no valid record (" + torn.reason() + ")");
      }
      cutTornTail(torn);
    }
    for (SnapshotFiles.Id unusable : result.unusableSnapshots()) {
      if (Files.exists(snapshots.pathFor(unusable))) {
        Path aside = snapshots.quarantine(unusable);
        LOG.log(Level.WARNING, "Moved damaged snapshot to {0}; recovered from an older snapshot"
            + " and the log instead", aside);
      }
    }
    Snapshot kept = result.recovered().snapshot();
    for (SnapshotFiles.Id id : snapshots.list()) {
      if (kept == null || id.index() != kept.index() || id.term() != kept.term()) {
        snapshots.delete(id);
      }
    }
  }

  private boolean isFirstSegment(Path file) {
    return file.equals(SegmentLog.pathFor(directory, 1));
  }

  private void cutTornTail(Recovery.TornTail torn) throws IOException {
    if (torn.wholeFile()) {
      Files.delete(torn.file());
      disk.forceDirectory(directory);
    } else {
      try (FileChannel channel = FileChannel.open(torn.file(), StandardOpenOption.WRITE)) {
        channel.truncate(torn.validLength());
        disk.force(channel);
      }
    }
    LOG.log(Level.WARNING, "Dropped the torn tail of {0}: {1} bytes at byte offset {2} ({3})."
        + " A crash during a write leaves this; those bytes were never synced, so nothing"
        + " acknowledged is lost.", torn.file(), torn.droppedBytes(), torn.validLength(),
        torn.reason());
  }

  @Override
  public void write(List<StorageWrite> writes) throws IOException {
    checkUsable();
    requireRecovered();
    List<LogRecord> records = plan(writes);
    try {
      for (StorageWrite write : writes) {
        if (write instanceof StorageWrite.SaveSnapshot save) {
          snapshots.write(save.snapshot());
        }
      }
      for (StorageWrite write : writes) {
        unsyncedHardState = write instanceof StorageWrite.HardState h ? h : unsyncedHardState;
      }
      for (LogRecord record : records) {
        long offset = log.append(record, shape.checkpoint());
        locate(record, log.lastSequence(), offset);
        shape.apply(record);
        hardStateWritten |= record instanceof LogRecord.HardState;
        compactionDue |= record instanceof LogRecord.SnapshotMark;
      }
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    }
  }

  /**
   * Keeps {@link EntryLocations} in step with the log: {@code record} lies at {@code offset}
   * of segment {@code sequence} (the sequence is read after the append, which may roll).
   */
  private void locate(LogRecord record, long sequence, long offset) {
    if (record instanceof LogRecord.Entries entries) {
      locations.written(entries.first(), entries.last(), sequence, offset);
    } else if (record instanceof LogRecord.SnapshotMark mark && !mark.keepsLog()) {
      locations.clear();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each record is found through an index of where each batch of entries was written, read
   * with one positioned read, and checked against its CRC32C. Runs on the thread that writes
   * (the log thread), after every write submitted before it, so it sees them and never races
   * with compaction deleting a segment. A failed read leaves the storage usable: it says
   * nothing about what was forced to the device.
   */
  @Override
  public List<LogEntry> readEntries(long from, long to, long maxBytes) throws IOException {
    checkUsable();
    requireRecovered();
    if (from < 1 || to < from || maxBytes < 1) {
      throw new IllegalArgumentException("read of entries " + from + " to " + to + " within "
          + maxBytes + " bytes");
    }
    try {
      log.flush();
    } catch (IOException e) {
      throw fail(e);
    }
    return new EntryReader(directory, disk).read(locations.covering(from, to), from, to,
        maxBytes);
  }

  /** Validates every write against a draft of the log before anything is written. */
  private List<LogRecord> plan(List<StorageWrite> writes) {
    Objects.requireNonNull(writes, "writes");
    LogShape draft = shape.copy();
    List<LogRecord> records = new ArrayList<>();
    for (StorageWrite write : writes) {
      Objects.requireNonNull(write, "write");
      if (write instanceof StorageWrite.SaveSnapshot save
          && (save.snapshot().index() < 1 || save.snapshot().term() < 0)) {
        throw new IllegalArgumentException("snapshot index must be at least 1 and its term not"
            + " negative, was index " + save.snapshot().index() + " term " + save.snapshot().term());
      }
      for (LogRecord record : draft.plan(write)) {
        draft.apply(record);
        records.add(record);
      }
    }
    return records;
  }

  @Override
  public void sync() throws IOException {
    checkUsable();
    requireRecovered();
    try {
      log.sync();
      if (unsyncedHardState != null) {
        // After the fsync that made it durable, before anything waiting for that fsync leaves.
        HardStateCopy.write(directory, disk, unsyncedHardState,
            new HardStateCopy.LogEnd(log.lastSequence(), log.lastLength()));
        unsyncedHardState = null;
      }
      if (repairPending && hardStateWritten) {
        RepairMarker.delete(directory, disk);
        repairPending = false;
      }
      if (compactionDue) {
        compact();
      }
    } catch (IOException | RuntimeException e) {
      throw fail(e);
    }
  }

  /** X2: once a snapshot is durable, what it covers goes. */
  private void compact() throws IOException {
    long snapshotIndex = shape.snapshotIndex();
    int deleted = log.compact(snapshotIndex);
    locations.compacted(log.firstSequence());
    SnapshotFiles.Id current = new SnapshotFiles.Id(snapshotIndex, shape.snapshotTerm());
    for (SnapshotFiles.Id id : snapshots.list()) {
      if (!id.equals(current)) {
        snapshots.delete(id);
      }
    }
    compactionDue = false;
    if (deleted > 0) {
      LOG.log(Level.DEBUG, "Compacted {0}: deleted {1} segment(s) covered by snapshot {2}",
          directory, deleted, snapshotIndex);
    }
  }

  private IOException fail(Exception cause) {
    IOException failure = cause instanceof IOException io ? io
        : new IOException("stable storage in " + directory + " failed: " + cause, cause);
    this.failure = failure;
    LOG.log(Level.ERROR, "Stable storage in " + directory + " failed; it stays unusable until"
        + " the replica restarts", cause);
    return failure;
  }

  private void checkUsable() throws IOException {
    if (closed) {
      throw new IllegalStateException("stable storage in " + directory + " is closed");
    }
    if (failure != null) {
      throw new IOException("stable storage in " + directory + " failed earlier ("
          + failure.getMessage() + ") and stays unusable until the replica restarts", failure);
    }
  }

  private void requireRecovered() {
    if (log == null) {
      throw new IllegalStateException("call recover() before writing to " + directory);
    }
  }

  @Override
  public long syncs() {
    return disk.syncs();
  }

  @Override
  public long syncNanos() {
    return disk.syncNanos();
  }

  @Override
  public long bytesWritten() {
    return disk.bytesWritten();
  }

  /** Number of segment files in use, for tests of compaction. */
  int segmentCount() {
    return log.segmentCount();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (log != null && failure == null) {
        sync();
      }
    } finally {
      closed = true;
      try {
        if (log != null) {
          log.close();
        }
      } finally {
        lock.release();
        lockChannel.close();
      }
    }
  }
}
