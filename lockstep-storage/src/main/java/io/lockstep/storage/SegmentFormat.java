package io.lockstep.storage;

import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.Codec;
import java.util.zip.CRC32C;

/**
 * The byte layout of a log segment file.
 *
 * <pre>
 * header  u32 magic "LSLG", u32 format version, u64 segment sequence, u32 crc32c(previous 16 bytes)
 * record  u32 length (of payload), u32 crc32c(length bytes, type, payload), u8 type, payload
 * </pre>
 *
 * <p>The checksum covers the length field too, so a corrupted length is caught even when it still
 * points inside the file. Records never straddle segments.
 */
final class SegmentFormat {
  static final int MAGIC = 0x4C534C47;
  static final int HEADER_BYTES = 20;
  static final int RECORD_HEADER_BYTES = 9;
  /** Largest record payload accepted; the writer splits large appends well below it. */
  static final int MAX_RECORD_PAYLOAD = 16 << 20;

  private SegmentFormat() {}

  /** The result of reading one record at an offset: a record or the reason there is none. */
  sealed interface Scan {
    /** A record whose checksum matched. */
    record Valid(int type, int payloadOffset, int payloadLength, int next) implements Scan {}

    /** No valid record starts here; {@code reason} says why. */
    record Invalid(String reason) implements Scan {}
  }

  static void writeHeader(BinaryWriter out, long sequence) {
    int start = out.position();
    out.writeInt(MAGIC).writeInt(Codec.VERSION).writeLong(sequence);
    out.writeInt(crc(out.array(), start, 16));
  }

  /** Returns null if {@code bytes} start with a valid header for {@code sequence}, else why not. */
  static String checkHeader(byte[] bytes, int length, long sequence) {
    if (length < HEADER_BYTES) {
      return "file is " + length + " bytes, shorter than the " + HEADER_BYTES + "-byte header";
    }
    if (getInt(bytes, 0) != MAGIC) {
      return String.format("bad magic 0x%08x, not a Lockstep log segment", getInt(bytes, 0));
    }
    if (getInt(bytes, 16) != crc(bytes, 0, 16)) {
      return "header checksum mismatch";
    }
    int version = getInt(bytes, 4);
    if (version != Codec.VERSION) {
      return "format version " + version + ", this build reads version " + Codec.VERSION;
    }
    long stored = ((long) getInt(bytes, 8) << 32) | (getInt(bytes, 12) & 0xFFFF_FFFFL);
    if (stored != sequence) {
      return "header names segment " + stored + " but the file name says " + sequence;
    }
    return null;
  }

  /** Starts a record of {@code type}; returns its start to pass to {@link #endRecord}. */
  static int beginRecord(BinaryWriter out, int type) {
    int start = out.position();
    out.writeInt(0).writeInt(0).writeByte(type);
    return start;
  }

  /** Fills in the length and checksum of the record begun at {@code start}. */
  static void endRecord(BinaryWriter out, int start) {
    int payloadLength = out.position() - start - RECORD_HEADER_BYTES;
    if (payloadLength > MAX_RECORD_PAYLOAD) {
      throw new IllegalStateException("record payload of " + payloadLength
          + " bytes exceeds the limit of " + MAX_RECORD_PAYLOAD);
    }
    out.putInt(start, payloadLength);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), start, 4);
    crc.update(out.array(), start + 8, payloadLength + 1);
    out.putInt(start + 4, (int) crc.getValue());
  }

  /** Reads the record starting at {@code offset} of {@code bytes[0, end)}. */
  static Scan scan(byte[] bytes, int offset, int end) {
    int available = end - offset;
    if (available < RECORD_HEADER_BYTES) {
      return new Scan.Invalid("only " + available + " bytes left, shorter than a record header");
    }
    long length = getInt(bytes, offset) & 0xFFFF_FFFFL;
    if (length > MAX_RECORD_PAYLOAD) {
      return new Scan.Invalid("record length " + length + " exceeds the limit of "
          + MAX_RECORD_PAYLOAD);
    }
    if (length > available - RECORD_HEADER_BYTES) {
      return new Scan.Invalid("record of " + length + " bytes runs past the end of the file ("
          + (available - RECORD_HEADER_BYTES) + " bytes left)");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, 4);
    crc.update(bytes, offset + 8, (int) length + 1);
    int stored = getInt(bytes, offset + 4);
    if (stored != (int) crc.getValue()) {
      return new Scan.Invalid(String.format("checksum mismatch (stored 0x%08x, computed 0x%08x)",
          stored, (int) crc.getValue()));
    }
    int payload = offset + RECORD_HEADER_BYTES;
    return new Scan.Valid(bytes[offset + 8] & 0xFF, payload, (int) length, payload + (int) length);
  }

  /**
   * Returns the offset of the first valid record starting after {@code from}, or -1. Used to tell
   * a torn tail (nothing valid follows the bad bytes) from corruption (valid data follows).
   */
  static int nextValidRecord(byte[] bytes, int from, int end) {
    for (int offset = from + 1; offset <= end - RECORD_HEADER_BYTES; offset++) {
      // Cheap filters first: a tail of zeros or random bytes rarely names a record type.
      int type = bytes[offset + 8] & 0xFF;
      if (type >= LogRecord.LEGACY_HARD_STATE && type <= LogRecord.CHECKPOINT
          && scan(bytes, offset, end) instanceof Scan.Valid) {
        return offset;
      }
    }
    return -1;
  }

  /** True if every byte from {@code offset} to the end of {@code bytes} is zero. */
  static boolean onlyZerosFrom(byte[] bytes, int offset) {
    for (int i = offset; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  static int getInt(byte[] bytes, int offset) {
    return ((bytes[offset] & 0xFF) << 24) | ((bytes[offset + 1] & 0xFF) << 16)
        | ((bytes[offset + 2] & 0xFF) << 8) | (bytes[offset + 3] & 0xFF);
  }
}
