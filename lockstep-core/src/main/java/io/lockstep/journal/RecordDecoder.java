package io.lockstep.journal;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Decodes the records of one checked block ({@link JournalFormat}). A record that does not
 * parse (an unknown kind, a field running past its length) is reported and skipped by its
 * length; bytes a record holds beyond the fields known here (a later version's) are ignored.
 */
final class RecordDecoder {
  private static final Event.Kind[] KINDS = Event.Kind.values();

  private final byte[] bytes;
  private final int length;
  private final long fileOffset;
  private final Consumer<Stamped> events;
  private final JournalFormat.Problems problems;
  private int at;
  private int recordEnd;
  private long previousNanos;

  RecordDecoder(byte[] bytes, int length, long fileOffset, Consumer<Stamped> events,
      JournalFormat.Problems problems) {
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
    if (kind >= KINDS.length) {
      throw new IllegalArgumentException("unknown event kind " + kind);
    }
    long nanos = previousNanos + signed();
    previousNanos = nanos;
    int replica = (int) signed();
    int peer = (int) signed();
    long sequence = signed();
    long position = signed();
    long term = signed();
    long message = signed();
    String client = string();
    String detail = string();
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
    long n = unsigned();
    if (n > recordEnd - at) {
      throw new IllegalArgumentException("a text of " + n + " bytes runs past its record");
    }
    String s = new String(bytes, at, (int) n, StandardCharsets.UTF_8);
    at += (int) n;
    return s;
  }
}
