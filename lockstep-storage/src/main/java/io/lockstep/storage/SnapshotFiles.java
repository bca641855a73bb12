package io.lockstep.storage;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.Codec;
import io.lockstep.storage.codec.CodecException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshot files (X2), one per snapshot, named by index and term and written atomically: write a
 * temporary file, force it, rename it over the final name, force the directory. After a crash
 * the final name holds the old content or the new, never a mix; a leftover temporary file is
 * garbage. The term in the name means a snapshot saved again at the same index with another
 * term never overwrites the file a durable log record still refers to.
 *
 * <p>Two layouts share one frame. A snapshot whose state is in memory (one received from a
 * leader, or the simulator's) is written whole:
 *
 * <pre>
 * u32 magic "LSSN", u32 format version, u32 payload length, u32 crc32c(previous 12 bytes, payload),
 * payload = Snapshot in the {@link Codec} format
 * </pre>
 *
 * <p>A snapshot this replica took was already streamed into its own state file
 * ({@code snapshot-NNNNNNNNNNNNNNNNNNNN.state}, see {@link SnapshotStateWriter}) off the loop and
 * log threads, so its snapshot file only refers to it, and recording it costs the log thread a
 * few hundred bytes however large the state:
 *
 * <pre>
 * u32 magic "LSSR", u32 1, u32 payload length, u32 crc32c(previous 12 bytes, payload),
 * payload = i64 index, i64 term, i64 time, u32 members × i32, u16 name length, name (UTF-8),
 *           i64 state size, u32 crc32c(state)
 * </pre>
 *
 * <p>Recovery checks the state file's size and checksum before using it. A state file is deleted
 * with the last snapshot file that refers to it; one that none refers to (a crash between the two
 * writes) is deleted at the next start.
 */
final class SnapshotFiles {
  static final int MAGIC = 0x4C53534E;
  static final int REFERENCE_MAGIC = 0x4C535352;
  static final int REFERENCE_VERSION = 1;
  static final int HEADER_BYTES = 16;
  static final String TEMPORARY = ".tmp";
  /** Largest in-memory state written inside its snapshot file; larger ones get a state file. */
  static final int INLINE_MAX_BYTES = 1 << 20;
  private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.snap");
  private static final Pattern STATE_NAME = Pattern.compile("snapshot-(\\d{20})\\.state");

  private final Path directory;
  private final Disk disk;

  SnapshotFiles(Path directory, Disk disk) {
    this.directory = directory;
    this.disk = disk;
  }

  /** Names a snapshot file. */
  record Id(long index, long term) {}

  /** A snapshot file read back: its snapshot, or why it cannot be used. */
  sealed interface Loaded {
    /** The file is intact. */
    record Valid(Snapshot snapshot) implements Loaded {}

    /** The file is missing or damaged. */
    record Unusable(Path file, String reason) implements Loaded {}
  }

  /** The disk this store reads and writes through. */
  Disk disk() {
    return disk;
  }

  Path pathFor(Id id) {
    return directory.resolve(String.format("snapshot-%020d-%020d.snap", id.index(), id.term()));
  }

  /** The state file of this replica's own snapshot at {@code position}. */
  static Path statePath(Path directory, long position) {
    return directory.resolve(String.format("snapshot-%020d.state", position));
  }

  /**
   * Writes {@code snapshot} atomically and durably. A state already in this directory's state
   * file is only referred to; a large state in memory (a snapshot received from the leader) is
   * first streamed into its state file, so that it is never copied whole into one array.
   */
  void write(Snapshot snapshot) throws IOException {
    StoredState stored = storedIn(snapshot.data());
    boolean inPlace = stored != null && stored.file().equals(statePath(directory, snapshot.index()));
    if (!inPlace && snapshot.data().size() > INLINE_MAX_BYTES) {
      SnapshotData received = snapshot.data();
      stored = (StoredState) new SnapshotStateWriter(directory, disk).write(snapshot.index(),
          out -> {
            try (java.io.InputStream in = received.open()) {
              in.transferTo(out);
            }
          });
      inPlace = true;
    }
    if (inPlace) {
      writeAtomically(snapshot, SnapshotReference.encode(snapshot, stored));
      return;
    }
    BinaryWriter out = new BinaryWriter(HEADER_BYTES + 64 + snapshot.state().length);
    out.writeInt(MAGIC).writeInt(Codec.VERSION).writeInt(0).writeInt(0);
    out.writeSnapshot(snapshot);
    out.putInt(8, out.position() - HEADER_BYTES);
    out.putInt(12, checksum(out.array(), out.position()));
    writeAtomically(snapshot, ByteBuffer.wrap(out.array(), 0, out.position()));
  }

  /**
   * The state file of this storage's that {@code data} reads, seen through a digest the runtime
   * attached or a pin held on it; null for data in memory.
   */
  private static StoredState storedIn(SnapshotData data) {
    if (data instanceof SnapshotData.DigestedData digested) {
      return storedIn(digested.unwrapped());
    }
    if (data instanceof PinnedState pinned) {
      return pinned.state();
    }
    return data instanceof StoredState state ? state : null;
  }

  private void writeAtomically(Snapshot snapshot, ByteBuffer content) throws IOException {
    Path target = pathFor(new Id(snapshot.index(), snapshot.term()));
    Path temporary = target.resolveSibling(target.getFileName() + TEMPORARY);
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      disk.write(channel, content);
      disk.force(channel);
    }
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    disk.forceDirectory(directory);
  }

  static int checksum(byte[] bytes, int length) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, 12);
    crc.update(bytes, HEADER_BYTES, length - HEADER_BYTES);
    return (int) crc.getValue();
  }

  /** Reads and checks the snapshot file for {@code index} and {@code term}. */
  Loaded load(long index, long term) throws IOException {
    Path file = pathFor(new Id(index, term));
    if (!Files.exists(file)) {
      return new Loaded.Unusable(file, "the file is missing");
    }
    byte[] bytes = disk.readAll(file);
    if (bytes.length >= 4 && SegmentFormat.getInt(bytes, 0) == REFERENCE_MAGIC) {
      return SnapshotReference.load(file, bytes, index, term, directory);
    }
    String problem = checkFrame(bytes);
    if (problem != null) {
      return new Loaded.Unusable(file, problem);
    }
    Snapshot snapshot;
    try {
      BinaryReader in = new BinaryReader(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES,
          Codec.VERSION);
      snapshot = in.readSnapshot("snapshot", bytes.length);
      in.expectEnd("snapshot");
    } catch (CodecException e) {
      return new Loaded.Unusable(file, "checksum matches but the content does not decode: "
          + e.getMessage());
    }
    if (snapshot.index() != index || snapshot.term() != term) {
      return new Loaded.Unusable(file, "holds the snapshot at index " + snapshot.index()
          + " term " + snapshot.term() + ", but the log refers to index " + index + " term " + term);
    }
    return new Loaded.Valid(snapshot);
  }

  private static String checkFrame(byte[] bytes) {
    if (bytes.length < HEADER_BYTES) {
      return "file is " + bytes.length + " bytes, shorter than the header";
    }
    if (SegmentFormat.getInt(bytes, 0) != MAGIC) {
      return "bad magic, not a Lockstep snapshot";
    }
    int version = SegmentFormat.getInt(bytes, 4);
    if (version != Codec.VERSION) {
      return "format version " + version + ", this build reads version " + Codec.VERSION;
    }
    long length = SegmentFormat.getInt(bytes, 8) & 0xFFFF_FFFFL;
    if (length != bytes.length - HEADER_BYTES) {
      return "header says " + length + " payload bytes but the file holds "
          + (bytes.length - HEADER_BYTES);
    }
    if (SegmentFormat.getInt(bytes, 12) != checksum(bytes, bytes.length)) {
      return "checksum mismatch";
    }
    return null;
  }

  /** The snapshot files present. */
  List<Id> list() throws IOException {
    List<Id> ids = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "snapshot-*.snap")) {
      for (Path file : files) {
        Matcher name = NAME.matcher(file.getFileName().toString());
        if (name.matches()) {
          ids.add(new Id(Long.parseLong(name.group(1)), Long.parseLong(name.group(2))));
        }
      }
    }
    return ids;
  }

  /**
   * Deletes temporary files left by a crash during a snapshot write, and state files that no
   * snapshot file refers to (a crash after the state was written but before it was recorded);
   * returns how many.
   */
  int deleteTemporaries() throws IOException {
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "snapshot-*.tmp")) {
      for (Path file : files) {
        Files.delete(file);
        deleted++;
      }
    }
    for (Path state : orphanStatesBelow(Long.MAX_VALUE)) {
      Files.delete(state);
      deleted++;
    }
    return deleted;
  }

  /**
   * Deletes the state files that no snapshot file refers to and whose index is below the
   * newest one recorded; returns how many. Safe only where states are recorded in increasing
   * index order (see {@link SnapshotStateWriter#deleteUnrecordedBelowNewest}).
   */
  int deleteUnrecordedBelowNewest() throws IOException {
    long newest = list().stream().mapToLong(Id::index).max().orElse(0);
    int deleted = 0;
    for (Path state : orphanStatesBelow(newest)) {
      if (Files.deleteIfExists(state)) {
        deleted++;
      }
    }
    return deleted;
  }

  /** The state files below index {@code bound} that no snapshot file refers to. */
  private List<Path> orphanStatesBelow(long bound) throws IOException {
    java.util.Set<Long> referred = new java.util.HashSet<>();
    list().forEach(id -> referred.add(id.index()));
    List<Path> orphans = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "snapshot-*.state")) {
      for (Path file : files) {
        Matcher name = STATE_NAME.matcher(file.getFileName().toString());
        if (name.matches()) {
          long index = Long.parseLong(name.group(1));
          if (index < bound && !referred.contains(index)) {
            orphans.add(file);
          }
        }
      }
    }
    return orphans;
  }

  /**
   * Deletes a snapshot file, if present, and its state file once no other snapshot file (one at
   * the same index with another term) refers to it.
   */
  void delete(Id id) throws IOException {
    Files.deleteIfExists(pathFor(id));
    if (list().stream().noneMatch(other -> other.index() == id.index())) {
      Files.deleteIfExists(statePath(directory, id.index()));
    }
  }

  /** Renames a damaged snapshot file aside so that an operator can inspect it. */
  Path quarantine(Id id) throws IOException {
    Path file = pathFor(id);
    Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
    return aside;
  }
}
