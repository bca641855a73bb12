package io.lockstep.storage;

import io.lockstep.order.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The snapshot file that refers to a state file instead of holding the state (layout in
 * {@link SnapshotFiles}): what the log thread writes for a snapshot this replica took.
 */
final class SnapshotReference {
  private static final int MAX_MEMBERS = 1024;

  private SnapshotReference() {}

  static ByteBuffer encode(Snapshot snapshot, StoredState state) {
    byte[] name = state.file().getFileName().toString().getBytes(StandardCharsets.UTF_8);
    int payload = 8 * 3 + 4 + 4 * snapshot.members().size() + 2 + name.length + 8 + 4;
    ByteBuffer out = ByteBuffer.allocate(SnapshotFiles.HEADER_BYTES + payload);
    out.putInt(SnapshotFiles.REFERENCE_MAGIC).putInt(SnapshotFiles.REFERENCE_VERSION)
        .putInt(payload).putInt(0);
    out.putLong(snapshot.index()).putLong(snapshot.term()).putLong(snapshot.time());
    out.putInt(snapshot.members().size());
    snapshot.members().forEach(out::putInt);
    out.putShort((short) name.length).put(name);
    out.putLong(state.size()).putInt(state.crc());
    out.putInt(12, SnapshotFiles.checksum(out.array(), out.position()));
    return out.flip();
  }

  /** Reads a reference file and checks it, and the state file it names, whole. */
  static SnapshotFiles.Loaded load(Path file, byte[] bytes, long index, long term,
      Path directory) throws IOException {
    String problem = checkFrame(bytes);
    if (problem != null) {
      return new SnapshotFiles.Loaded.Unusable(file, problem);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, SnapshotFiles.HEADER_BYTES,
        bytes.length - SnapshotFiles.HEADER_BYTES);
    try {
      long readIndex = in.getLong();
      long readTerm = in.getLong();
      long time = in.getLong();
      List<Integer> members = members(in);
      byte[] name = new byte[in.getShort() & 0xFFFF];
      in.get(name);
      StoredState state = new StoredState(directory.resolve(new String(name,
          StandardCharsets.UTF_8)), in.getLong(), in.getInt());
      if (readIndex != index || readTerm != term) {
        return new SnapshotFiles.Loaded.Unusable(file, "holds the snapshot at index " + readIndex
            + " term " + readTerm + ", but the log refers to index " + index + " term " + term);
      }
      String stateProblem = checkState(state, SnapshotFiles.statePath(directory, index));
      if (stateProblem != null) {
        return new SnapshotFiles.Loaded.Unusable(file, stateProblem);
      }
      return new SnapshotFiles.Loaded.Valid(new Snapshot(index, term, time, members, state));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return new SnapshotFiles.Loaded.Unusable(file, "checksum matches but the content does not"
          + " decode: " + e);
    }
  }

  private static List<Integer> members(ByteBuffer in) {
    int count = in.getInt();
    if (count < 0 || count > MAX_MEMBERS) {
      throw new IllegalArgumentException("member count " + count);
    }
    List<Integer> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      members.add(in.getInt());
    }
    return members;
  }

  private static String checkFrame(byte[] bytes) {
    if (bytes.length < SnapshotFiles.HEADER_BYTES) {
      return "file is " + bytes.length + " bytes, shorter than the header";
    }
    int version = SegmentFormat.getInt(bytes, 4);
    if (version != SnapshotFiles.REFERENCE_VERSION) {
      return "reference format version " + version + ", this build reads version "
          + SnapshotFiles.REFERENCE_VERSION;
    }
    long length = SegmentFormat.getInt(bytes, 8) & 0xFFFF_FFFFL;
    if (length != bytes.length - SnapshotFiles.HEADER_BYTES) {
      return "header says " + length + " payload bytes but the file holds "
          + (bytes.length - SnapshotFiles.HEADER_BYTES);
    }
    if (SegmentFormat.getInt(bytes, 12) != SnapshotFiles.checksum(bytes, bytes.length)) {
      return "checksum mismatch";
    }
    return null;
  }

  /** The state file must be where its index says, of its recorded size and checksum. */
  private static String checkState(StoredState state, Path expected) throws IOException {
    if (!state.file().equals(expected)) {
      return "refers to state file " + state.file().getFileName() + ", not "
          + expected.getFileName();
    }
    if (!Files.isRegularFile(state.file())) {
      return "its state file " + expected.getFileName() + " is missing";
    }
    long size = Files.size(state.file());
    if (size != state.size()) {
      return "its state file " + expected.getFileName() + " holds " + size
          + " bytes, not the recorded " + state.size();
    }
    CRC32C crc = new CRC32C();
    try (InputStream in = state.open()) {
      byte[] buffer = new byte[256 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
      }
    }
    if ((int) crc.getValue() != state.crc()) {
      return "its state file " + expected.getFileName() + " fails its checksum";
    }
    return null;
  }
}
