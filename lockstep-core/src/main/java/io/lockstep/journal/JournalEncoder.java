package io.lockstep.journal;

import java.io.IOException;
import java.util.HashMap;
import java.util.zip.CRC32C;

/**
 * Writes events in the journal's binary file format ({@link JournalFormat}) into a reused
 * buffer, so a busy process's journal writer makes no text and no garbage per event: numbers
 * become variable-length integers, a string already in the block becomes its number in the
 * block's table, and other ASCII strings are copied byte by byte.
 *
 * <p>Events go into the current block; a block is sealed (its length and CRC-32C written in
 * front) when it reaches {@link JournalFormat#BLOCK_BYTES} or at {@link #flush}, which hands
 * every sealed block to a {@link BlockSink}. Times are stored as differences from the previous
 * event of the same block, so each block can be read on its own. Not thread-safe: one writer
 * thread owns an encoder.
 */
public final class JournalEncoder {
  /** Where sealed blocks go (a file). */
  @FunctionalInterface
  public interface BlockSink {
    /** Writes {@code length} bytes of {@code bytes} from {@code offset}: one whole block. */
    void block(byte[] bytes, int offset, int length) throws IOException;
  }

  private final CRC32C crc = new CRC32C();
  private byte[] buffer = new byte[JournalFormat.BLOCK_BYTES * 2];
  /** Where the current (unsealed) block starts. */
  private int blockStart;
  /** The end of what is written. */
  private int end = JournalFormat.BLOCK_HEADER_BYTES;
  private long previousNanos;
  private boolean blockEmpty = true;
  /**
   * The open block's strings by their number in its table. Looked up by value: the client id
   * of a request is a new {@code String} in every request decoded from the wire, but each
   * caches its hash, so a lookup costs one hash per string and one comparison.
   */
  private final HashMap<String, Integer> strings = new HashMap<>();

  /** Adds one event, stamped at {@code nanos} on {@code replica} (-1 for a client). */
  public void add(long nanos, int replica, Event event) {
    int recordStart = beginRecord();
    put((byte) event.kind().ordinal());
    putNanos(nanos);
    putSigned(replica);
    putSigned(event.peer());
    putSigned(event.sequence());
    putSigned(event.position());
    putSigned(event.term());
    putSigned(event.message());
    putString(event.client());
    putString(event.detail());
    endRecord(recordStart);
  }

  /** Adds the writer's note that {@code count} events were lost before this point. */
  public void lost(long count) {
    int recordStart = beginRecord();
    put(JournalFormat.LOST);
    putSigned(count);
    endRecord(recordStart);
  }

  /** Bytes written and not yet flushed (sealed blocks and the open one). */
  public int pendingBytes() {
    return blockEmpty ? blockStart : end;
  }

  /** Seals the open block and hands every sealed block to {@code sink}, then starts afresh. */
  public void flush(BlockSink sink) throws IOException {
    seal();
    int at = 0;
    try {
      while (at < blockStart) {
        int length = JournalFormat.BLOCK_HEADER_BYTES + readInt(buffer, at);
        sink.block(buffer, at, length);
        at += length;
      }
    } finally {
      // Even if the sink failed, the bytes are dropped: the journal is for looking, and a writer
      // that kept them would grow without bound while the disk stays full.
      blockStart = 0;
      end = JournalFormat.BLOCK_HEADER_BYTES;
      blockEmpty = true;
    }
  }

  private int beginRecord() {
    if (end - blockStart >= JournalFormat.BLOCK_BYTES) {
      seal();
    }
    ensure(JournalFormat.MAX_FIXED_RECORD_BYTES);
    blockEmpty = false;
    // One byte reserved for the record's length: most records are shorter than 128 bytes.
    return end++;
  }

  /** Writes the record's length in front of it, moving it if the length needs more bytes. */
  private void endRecord(int recordStart) {
    int length = end - recordStart - 1;
    int lengthBytes = varintBytes(length);
    if (lengthBytes > 1) {
      ensure(lengthBytes - 1);
      System.arraycopy(buffer, recordStart + 1, buffer, recordStart + lengthBytes, length);
      end += lengthBytes - 1;
    }
    varintAt(recordStart, length);
  }

  /** Closes the open block: its length and checksum go into the header reserved for them. */
  private void seal() {
    if (blockEmpty) {
      return;
    }
    int payload = end - blockStart - JournalFormat.BLOCK_HEADER_BYTES;
    crc.reset();
    crc.update(buffer, blockStart + JournalFormat.BLOCK_HEADER_BYTES, payload);
    writeInt(buffer, blockStart, payload);
    writeInt(buffer, blockStart + 4, (int) crc.getValue());
    blockStart = end;
    ensure(JournalFormat.BLOCK_HEADER_BYTES);
    end += JournalFormat.BLOCK_HEADER_BYTES;
    blockEmpty = true;
    previousNanos = 0;
    strings.clear();
  }

  private void putNanos(long nanos) {
    // The first event of a block is relative to 0, so a block decodes without the one before.
    putSigned(nanos - previousNanos);
    previousNanos = nanos;
  }

  private void put(byte b) {
    buffer[end++] = b;
  }

  private void putSigned(long value) {
    end = varintAt(end, (value << 1) ^ (value >> 63));
  }

  /**
   * A string already in the block's table as its number there (odd); else written out and, if
   * not empty and the table has room, added to the table ({@link JournalFormat}).
   */
  private void putString(String text) {
    if (!text.isEmpty()) {
      Integer index = strings.get(text);
      if (index != null) {
        ensure(5);
        end = varintAt(end, ((long) index << 1) | 1);
        return;
      }
      if (strings.size() < JournalFormat.MAX_BLOCK_STRINGS) {
        strings.put(text, strings.size());
      }
    }
    putLiteral(text);
  }

  /** Twice the UTF-8 length, then the bytes; ASCII (nearly every journal string) copied as is. */
  private void putLiteral(String text) {
    int n = text.length();
    ensure(5 + 3 * n);
    int lengthAt = end;
    end += varintBytes((long) n << 1);
    boolean ascii = true;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      buffer[end + i] = (byte) c;
    }
    if (ascii) {
      varintAt(lengthAt, (long) n << 1);
      end += n;
      return;
    }
    byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ensure(5 + utf8.length);
    end = varintAt(lengthAt, (long) utf8.length << 1);
    System.arraycopy(utf8, 0, buffer, end, utf8.length);
    end += utf8.length;
  }

  /** Writes {@code v} (not negative) as a varint at {@code at}; returns the position after it. */
  private int varintAt(int at, long v) {
    while ((v & ~0x7FL) != 0) {
      buffer[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buffer[at++] = (byte) v;
    return at;
  }

  private static int varintBytes(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  private void ensure(int more) {
    if (end + more > buffer.length) {
      byte[] grown = new byte[Math.max(buffer.length * 2, end + more)];
      System.arraycopy(buffer, 0, grown, 0, end);
      buffer = grown;
    }
  }

  static void writeInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8
        | (b[at + 3] & 0xFF);
  }
}
