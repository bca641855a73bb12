package io.lockstep.storage.codec;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Decodes values in the {@link Codec} format from a byte range, checking every length against
 * both its limit and the bytes that remain before allocating, so hostile input cannot make it
 * allocate more than it was given. Every failure is a {@link CodecException} naming the field and
 * the byte offset (relative to the start of the range). Not thread-safe.
 */
public final class BinaryReader {
  private final byte[] bytes;
  private final int start;
  private final int end;
  private int position;

  /** Reads all of {@code bytes} in the current {@link Codec#VERSION}. */
  public BinaryReader(byte[] bytes) {
    this(bytes, 0, bytes.length, Codec.VERSION);
  }

  /**
   * Reads {@code bytes[offset, offset + length)} written in format {@code version}.
   *
   * @throws CodecException if this build does not read {@code version}
   */
  public BinaryReader(byte[] bytes, int offset, int length, int version) {
    if (offset < 0 || length < 0 || offset > bytes.length - length) {
      throw new IllegalArgumentException(
          "range [" + offset + ", +" + length + ") outside " + bytes.length + " bytes");
    }
    Codec.checkVersion(version);
    this.bytes = bytes;
    this.start = offset;
    this.end = offset + length;
    this.position = offset;
  }

  /** Offset of the next byte to read, relative to the start of the range. */
  public int offset() {
    return position - start;
  }

  /** Bytes left to read. */
  public int remaining() {
    return end - position;
  }

  /** Throws unless every byte was consumed (trailing garbage is an error, not padding). */
  public void expectEnd(String what) {
    if (position != end) {
      throw new CodecException(
          what + ": " + remaining() + " unexpected trailing bytes at offset " + offset());
    }
  }

  private void need(int count, String field) {
    if (remaining() < count) {
      throw new CodecException("truncated input: " + field + " needs " + count
          + " bytes at offset " + offset() + " but only " + remaining() + " remain");
    }
  }

  /** Reads an unsigned byte. */
  public int readByte(String field) {
    need(1, field);
    return bytes[position++] & 0xFF;
  }

  /** Reads an unsigned 16-bit integer. */
  public int readShort(String field) {
    need(2, field);
    int value = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
    position += 2;
    return value;
  }

  /** Reads a 32-bit integer. */
  public int readInt(String field) {
    need(4, field);
    int value = ((bytes[position] & 0xFF) << 24) | ((bytes[position + 1] & 0xFF) << 16)
        | ((bytes[position + 2] & 0xFF) << 8) | (bytes[position + 3] & 0xFF);
    position += 4;
    return value;
  }

  /** Reads a 64-bit integer. */
  public long readLong(String field) {
    long high = readInt(field) & 0xFFFF_FFFFL;
    return (high << 32) | (readInt(field) & 0xFFFF_FFFFL);
  }

  /** Reads a flag byte that must be 0 or 1. */
  public boolean readFlag(String field) {
    int at = offset();
    int value = readByte(field);
    if (value > 1) {
      throw new CodecException(field + ": flag must be 0 or 1, was " + value + " at offset " + at);
    }
    return value == 1;
  }

  /** Reads a u32 length and at most {@code limit} bytes. */
  public byte[] readBytes(String field, int limit) {
    int at = offset();
    int length = readInt(field);
    if (length < 0 || length > limit) {
      throw new CodecException(field + ": length " + Integer.toUnsignedString(length)
          + " at offset " + at + " exceeds the limit of " + limit + " bytes");
    }
    need(length, field);
    byte[] value = Arrays.copyOfRange(bytes, position, position + length);
    position += length;
    return value;
  }

  /** Reads exactly {@code count} bytes with no length before them (a fixed-size field). */
  public byte[] readRaw(String field, int count) {
    need(count, field);
    byte[] value = Arrays.copyOfRange(bytes, position, position + count);
    position += count;
    return value;
  }

  /** Reads a u16 length and strict UTF-8 of at most {@code limit} bytes. */
  public String readString(String field, int limit) {
    int at = offset();
    int length = readShort(field);
    if (length > limit) {
      throw new CodecException(field + ": length " + length + " at offset " + at
          + " exceeds the limit of " + limit + " bytes");
    }
    need(length, field);
    try {
      String value = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, position, length))
          .toString();
      position += length;
      return value;
    } catch (CharacterCodingException e) {
      throw new CodecException(field + ": malformed UTF-8 at offset " + at, e);
    }
  }

  /** Reads a client identity. */
  public ClientId readClientId(String field) {
    int at = offset();
    String value = readString(field, Codec.MAX_CLIENT_ID_BYTES);
    return construct(field, at, () -> new ClientId(value));
  }

  /** Reads a request, bounding its command by {@link Request#MAX_COMMAND_BYTES}. */
  public Request readRequest(String field) {
    int at = offset();
    ClientId client = readClientId(field + ".client");
    long sequence = readLong(field + ".sequence");
    int kindAt = offset();
    int kindCode = readByte(field + ".kind");
    if (kindCode > 1) {
      throw new CodecException(field + ".kind: unknown kind " + kindCode + " at offset " + kindAt);
    }
    Request.Kind kind = kindCode == 0 ? Request.Kind.COMMAND : Request.Kind.NULL;
    byte[] command = readBytes(field + ".command", Request.MAX_COMMAND_BYTES);
    ClientId copyFrom = readFlag(field + ".hasCopyFrom") ? readClientId(field + ".copyFrom") : null;
    return construct(field, at, () -> new Request(client, sequence, kind, command, copyFrom));
  }

  /** Reads a log entry. */
  public LogEntry readLogEntry(String field) {
    int at = offset();
    long index = readLong(field + ".index");
    long term = readLong(field + ".term");
    long time = readLong(field + ".time");
    Request request = readFlag(field + ".hasRequest") ? readRequest(field + ".request") : null;
    return construct(field, at, () -> new LogEntry(index, term, time, request));
  }

  /** Reads a hard state: the protocol's opaque bytes. */
  public StorageWrite.HardState readHardState(String field) {
    return new StorageWrite.HardState(readBytes(field, StorageWrite.HardState.MAX_BYTES));
  }

  /**
   * Reads a hard state in the layout written before hard states were opaque (i64 term, i32
   * vote): those 12 bytes, as they are, are the Raft protocol's own encoding of them.
   */
  public StorageWrite.HardState readLegacyHardState(String field) {
    if (remaining() < 12) {
      readLong(field + ".term");
      readInt(field + ".votedFor"); // fails, naming the field and offset
    }
    byte[] bytes = new byte[12];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) readByte(field);
    }
    return new StorageWrite.HardState(bytes);
  }

  /** Reads a snapshot whose state is at most {@code maxStateBytes} long. */
  public Snapshot readSnapshot(String field, int maxStateBytes) {
    int at = offset();
    long index = readLong(field + ".index");
    long term = readLong(field + ".term");
    long time = readLong(field + ".time");
    int countAt = offset();
    int count = readInt(field + ".memberCount");
    if (count < 0 || count > Codec.MAX_MEMBERS) {
      throw new CodecException(field + ".memberCount: " + Integer.toUnsignedString(count)
          + " at offset " + countAt + " exceeds the limit of " + Codec.MAX_MEMBERS);
    }
    need(count * 4, field + ".members");
    List<Integer> members = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      members.add(readInt(field + ".members"));
    }
    byte[] state = readBytes(field + ".state", maxStateBytes);
    return construct(field, at, () -> new Snapshot(index, term, time, members, state));
  }

  /** Builds a domain value, turning its argument checks into decode errors. */
  private static <T> T construct(String field, int at, Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException(field + " at offset " + at + " is invalid: " + e.getMessage(), e);
    }
  }
}
