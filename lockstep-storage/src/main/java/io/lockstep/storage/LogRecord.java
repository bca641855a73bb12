package io.lockstep.storage;

import io.lockstep.order.LogEntry;
import io.lockstep.order.StorageWrite;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayList;
import java.util.List;

/**
 * One record of the log: the unit that is checksummed, and that survives a crash whole or not
 * at all. Replaying a log's records in order rebuilds what was stored ({@link Replay}).
 */
sealed interface LogRecord {
  /** A hard state of the old fixed layout (i64 term, i32 vote); read, no longer written. */
  int LEGACY_HARD_STATE = 1;
  int ENTRIES = 2;
  int SNAPSHOT = 3;
  /** A checkpoint holding a hard state of the old fixed layout; read, no longer written. */
  int LEGACY_CHECKPOINT = 4;
  /** A hard state as the protocol's opaque bytes. */
  int HARD_STATE = 5;
  int CHECKPOINT = 6;

  /** Smallest encoded log entry: index, term, time and the request flag. */
  int MIN_ENTRY_BYTES = 25;

  /** The record type byte. */
  int type();

  /** Writes the payload (without framing). */
  void encode(BinaryWriter out);

  /** The protocol's hard state (e.g. Raft's term and vote), opaque to storage. */
  record HardState(StorageWrite.HardState state) implements LogRecord {
    @Override
    public int type() {
      return HARD_STATE;
    }

    @Override
    public void encode(BinaryWriter out) {
      out.writeHardState(state);
    }
  }

  /**
   * Consecutive entries. With {@code truncates}, the stored suffix from the first entry's index
   * on is discarded first (a follower overwriting a conflicting suffix); without it the first
   * entry must follow the stored last one, so a gap or an overlap is detected as corruption.
   * Carrying the truncation in the same record keeps "drop the suffix, write the replacement"
   * atomic under a crash.
   */
  record Entries(boolean truncates, List<LogEntry> entries) implements LogRecord {
    public Entries {
      entries = List.copyOf(entries);
    }

    long first() {
      return entries.get(0).index();
    }

    long last() {
      return entries.get(entries.size() - 1).index();
    }

    @Override
    public int type() {
      return ENTRIES;
    }

    @Override
    public void encode(BinaryWriter out) {
      out.writeByte(truncates ? 1 : 0).writeInt(entries.size());
      for (LogEntry entry : entries) {
        out.writeLogEntry(entry);
      }
    }
  }

  /**
   * A snapshot at {@code index} became the log's base; its data is in a snapshot file. With
   * {@code keepsLog} the stored entries after {@code index} remain (the snapshot's term matched
   * the entry there); without it every stored entry goes. Recording the decision, rather than
   * recomputing it from terms on replay, keeps replay exact after compaction deleted the entries
   * the decision looked at.
   */
  record SnapshotMark(long index, long term, boolean keepsLog) implements LogRecord {
    @Override
    public int type() {
      return SNAPSHOT;
    }

    @Override
    public void encode(BinaryWriter out) {
      out.writeLong(index).writeLong(term).writeByte(keepsLog ? 1 : 0);
    }
  }

  /**
   * The first record of every segment: the state when the segment began, so that older segments
   * can be deleted once a snapshot covers their entries. Entries in {@code (snapshotIndex,
   * lastIndex]} were then stored in earlier segments.
   *
   * @param hardState the last hard state, or null if none was written
   */
  record Checkpoint(StorageWrite.HardState hardState, long snapshotIndex, long snapshotTerm,
      long lastIndex) implements LogRecord {
    @Override
    public int type() {
      return CHECKPOINT;
    }

    @Override
    public void encode(BinaryWriter out) {
      out.writeByte(hardState == null ? 0 : 1);
      if (hardState != null) {
        out.writeHardState(hardState);
      }
      out.writeLong(snapshotIndex).writeLong(snapshotTerm).writeLong(lastIndex);
    }
  }

  /** Decodes a payload of {@code type}; every byte must be consumed. */
  static LogRecord decode(int type, BinaryReader in) {
    LogRecord record = switch (type) {
      case HARD_STATE -> new HardState(in.readHardState("hardState"));
      case LEGACY_HARD_STATE -> new HardState(in.readLegacyHardState("hardState"));
      case ENTRIES -> decodeEntries(in);
      case SNAPSHOT -> new SnapshotMark(
          in.readLong("snapshot.index"), in.readLong("snapshot.term"), in.readFlag("keepsLog"));
      case CHECKPOINT -> new Checkpoint(
          in.readFlag("checkpoint.hasHardState") ? in.readHardState("checkpoint.hardState") : null,
          in.readLong("checkpoint.snapshotIndex"), in.readLong("checkpoint.snapshotTerm"),
          in.readLong("checkpoint.lastIndex"));
      case LEGACY_CHECKPOINT -> new Checkpoint(in.readFlag("checkpoint.hasHardState")
          ? in.readLegacyHardState("checkpoint.hardState") : null,
          in.readLong("checkpoint.snapshotIndex"), in.readLong("checkpoint.snapshotTerm"),
          in.readLong("checkpoint.lastIndex"));
      default -> throw new CodecException("unknown record type " + type);
    };
    in.expectEnd("record of type " + type);
    return record;
  }

  private static Entries decodeEntries(BinaryReader in) {
    boolean truncates = in.readFlag("entries.truncates");
    int count = in.readInt("entries.count");
    if (count < 1 || count > in.remaining() / MIN_ENTRY_BYTES) {
      throw new CodecException("entries.count " + Integer.toUnsignedString(count)
          + " is impossible with " + in.remaining() + " bytes left");
    }
    List<LogEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      LogEntry entry = in.readLogEntry("entries[" + i + "]");
      if (i > 0 && entry.index() != entries.get(i - 1).index() + 1) {
        throw new CodecException("entries not consecutive: " + entries.get(i - 1).index()
            + " then " + entry.index());
      }
      entries.add(entry);
    }
    return new Entries(truncates, entries);
  }
}
