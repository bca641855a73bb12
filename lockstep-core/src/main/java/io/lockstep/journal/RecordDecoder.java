package io.lockstep.journal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decodes the records of one checked block ({@link JournalFormat}). A record that does not
 * parse (an unknown kind, a field running past its length) is reported and skipped by its
 * length; bytes a record holds beyond the fields known here (a later version's) are ignored.
 * In version 3 the strings written out so far in the block form its table, which later strings
 * may refer to by number.
 */
final class RecordDecoder {
  private static final Event.Kind[] KINDS = Event.Kind.values();

  private final byte[] bytes;
  private final int length;
  private final long fileOffset;
  private final Consumer<Stamped> events;
  private final JournalFormat.Problems problems;
  /** The block's strings (version 3), or null (version 2: every string is written out). */
  private final List<String> table;
  private int at;
  private int recordEnd;
  private long previousNanos;

  RecordDecoder(byte[] bytes, int length, long fileOffset, Consumer<Stamped> events,
      JournalFormat.Problems problems, boolean stringTable) {
    this.table = stringTable ? new ArrayList<>() : null;
    this.bytes = bytes;
    this.length = length;
    this.fileOffset = fileOffset;
    this.events = events;
    this.problems = problems;
  }

  void decode() {
    while (at < length) {
      int start = at;
      recordEnd = length;
      long recordLength;
      try {
        recordLength = unsigned();
      } catch (IllegalArgumentException e) {
        problems.skipped("record at byte " + (fileOffset + start) + ": " + e.getMessage()
            + "; the rest of its block skipped");
        return;
      }
      if (recordLength > length - at) {
        problems.skipped("record at byte " + (fileOffset + start) + " claims " + recordLength
            + " bytes, its block has " + (length - at) + " left; the rest of the block skipped");
        return;
      }
      recordEnd = at + (int) recordLength;
      try {
        record();
      } catch (IllegalArgumentException e) {
        problems.skipped("record at byte " + (fileOffset + start) + ": " + e.getMessage()
            + " (skipped)");
      }
      at = recordEnd;
    }
  }

  private void record() {
    int kind = next() & 0xFF;
    if (kind == (JournalFormat.LOST & 0xFF)) {
      problems.lost(signed());
      return;
    }
    long nanos = previousNanos + signed();
    previousNanos = nanos;
    int replica = (int) signed();
    int peer = (int) signed();
    long sequence = signed();
    long position = signed();
    long term = signed();
    long message = signed();
    // Both strings are read before the kind is checked: a kind this reader does not know still
    // adds its strings to the table, so later references in the block stay right.
    String client = string();
    String detail = string();
    if (kind >= KINDS.length) {
      throw new IllegalArgumentException("unknown event kind " + kind);
    }
    events.accept(new Stamped(nanos, replica, new Event(KINDS[kind], peer, client, sequence,
        position, term, message, detail)));
  }

  private byte next() {
    if (at >= recordEnd) {
      throw new IllegalArgumentException("record ends inside a field");
    }
    return bytes[at++];
  }

  private long unsigned() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = next();
      v |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("a number longer than 10 bytes");
  }

  private long signed() {
    long v = unsigned();
    return (v >>> 1) ^ -(v & 1);
  }

  private String string() {
    long v = unsigned();
    if (table == null) {
      return literal(v);
    }
    if ((v & 1) != 0) {
      long index = v >>> 1;
      if (index >= table.size()) {
        throw new IllegalArgumentException("a reference to string " + index + " of a block"
            + " that has " + table.size());
      }
      return table.get((int) index);
    }
    String s = literal(v >>> 1);
    if (!s.isEmpty() && table.size() < JournalFormat.MAX_BLOCK_STRINGS) {
      table.add(s);
    }
    return s;
  }

  private String literal(long n) {
    if (n > recordEnd - at) {
      throw new IllegalArgumentException("a text of " + n + " bytes runs past its record");
    }
    String s = new String(bytes, at, (int) n, StandardCharsets.UTF_8);
    at += (int) n;
    return s;
  }
}
