package io.lockstep.storage;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/** Small builders for storage tests. */
final class Fixtures {
  private Fixtures() {}

  static LogEntry entry(long index, long term) {
    byte[] command = ("set k" + index + " v" + term).getBytes(StandardCharsets.UTF_8);
    return new LogEntry(index, term, 1_000 + index,
        Request.command(ClientId.of("client-" + (index % 3)), index, command));
  }

  static LogEntry noOp(long index, long term) {
    return new LogEntry(index, term, 1_000 + index, null);
  }

  /** An Append of entries {@code from..to} (inclusive) in {@code term}. */
  static StorageWrite.Append append(long from, long to, long term) {
    return new StorageWrite.Append(
        LongStream.rangeClosed(from, to).mapToObj(i -> entry(i, term)).toList());
  }

  /** A hard state as Raft encodes its term and vote (storage treats it as opaque bytes). */
  static StorageWrite.HardState hardState(long term, int votedFor) {
    return new StorageWrite.HardState(java.nio.ByteBuffer.allocate(12).putLong(term)
        .putInt(votedFor).array());
  }

  static Snapshot snapshot(long index, long term) {
    byte[] state = ("state@" + index + "/" + term).getBytes(StandardCharsets.UTF_8);
    return new Snapshot(index, term, 1_000 + index, List.of(1, 2, 3), state);
  }

  static StorageWrite.SaveSnapshot saveSnapshot(long index, long term) {
    return new StorageWrite.SaveSnapshot(snapshot(index, term));
  }

  /** The file name FileStorage gives the snapshot at {@code index} in {@code term}. */
  static String snapshotName(long index, long term) {
    return String.format("snapshot-%020d-%020d.snap", index, term);
  }

  static List<Long> indexes(Recovered recovered) {
    List<Long> indexes = new ArrayList<>();
    recovered.entries().forEach(e -> indexes.add(e.index()));
    return indexes;
  }

  /**
   * Where a segment's valid records end: the log writes zeros ahead of them, so the file's size
   * says how far it prepared, not how far it wrote.
   */
  static long recordsEnd(Path segment) throws IOException {
    byte[] bytes = Files.readAllBytes(segment);
    int offset = SegmentFormat.HEADER_BYTES;
    while (SegmentFormat.scan(bytes, offset, bytes.length) instanceof SegmentFormat.Scan.Valid v) {
      offset = v.next();
    }
    return offset;
  }

  /** Compares everything a Recovered holds, including snapshot state bytes. */
  static String describe(Recovered recovered) {
    StringBuilder out = new StringBuilder();
    out.append("hardState=").append(recovered.hardState());
    Snapshot snapshot = recovered.snapshot();
    if (snapshot != null) {
      out.append(" snapshot=").append(snapshot.index()).append('/').append(snapshot.term())
          .append('/').append(snapshot.time()).append(snapshot.members())
          .append(new String(snapshot.state(), StandardCharsets.UTF_8));
    }
    out.append(" entries=");
    for (LogEntry entry : recovered.entries()) {
      out.append(entry.index()).append('/').append(entry.term()).append('/').append(entry.time())
          .append('/').append(entry.request()).append(' ');
    }
    return out.toString();
  }
}
