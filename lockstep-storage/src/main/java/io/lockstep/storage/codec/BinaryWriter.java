package io.lockstep.storage.codec;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes values in the {@link Codec} format into a growable byte array that can be reused
 * (see {@link #reset}) to avoid garbage on the write path. Not thread-safe.
 */
public final class BinaryWriter {
  private byte[] buffer;
  private int position;

  /** Creates a writer with a small initial buffer. */
  public BinaryWriter() {
    this(256);
  }

  /** Creates a writer whose buffer starts at {@code initialCapacity} bytes. */
  public BinaryWriter(int initialCapacity) {
    if (initialCapacity < 1) {
      throw new IllegalArgumentException("initial capacity must be positive, was " + initialCapacity);
    }
    buffer = new byte[initialCapacity];
  }

  /** Number of bytes written so far. */
  public int position() {
    return position;
  }

  /** The backing array; bytes {@code [0, position())} are valid. */
  public byte[] array() {
    return buffer;
  }

  /** A copy of the bytes written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, position);
  }

  /** Forgets everything written, keeping the buffer. */
  public void reset() {
    position = 0;
  }

  /** Forgets the bytes from {@code newPosition} on. */
  public void truncate(int newPosition) {
    if (newPosition < 0 || newPosition > position) {
      throw new IllegalArgumentException(
          "cannot truncate to " + newPosition + " with " + position + " bytes written");
    }
    position = newPosition;
  }

  private void ensure(int more) {
    if (buffer.length - position < more) {
      long wanted = Math.max((long) buffer.length * 2, (long) position + more);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("encoded value would exceed 2 GiB");
      }
      buffer = Arrays.copyOf(buffer, (int) wanted);
    }
  }

  /** Writes the low 8 bits of {@code value}. */
  public BinaryWriter writeByte(int value) {
    ensure(1);
    buffer[position++] = (byte) value;
    return this;
  }

  /** Writes the low 16 bits of {@code value}. */
  public BinaryWriter writeShort(int value) {
    ensure(2);
    buffer[position++] = (byte) (value >>> 8);
    buffer[position++] = (byte) value;
    return this;
  }

  /** Writes a 32-bit integer. */
  public BinaryWriter writeInt(int value) {
    ensure(4);
    put4(position, value);
    position += 4;
    return this;
  }

  /** Overwrites 4 bytes at {@code at} (an earlier position) with {@code value}. */
  public void putInt(int at, int value) {
    if (at < 0 || at > position - 4) {
      throw new IllegalArgumentException(
          "putInt at " + at + " outside the " + position + " bytes written");
    }
    put4(at, value);
  }

  private void put4(int at, int value) {
    buffer[at] = (byte) (value >>> 24);
    buffer[at + 1] = (byte) (value >>> 16);
    buffer[at + 2] = (byte) (value >>> 8);
    buffer[at + 3] = (byte) value;
  }

  /** Writes a 64-bit integer. */
  public BinaryWriter writeLong(long value) {
    writeInt((int) (value >>> 32));
    return writeInt((int) value);
  }

  /** Writes {@code length} raw bytes without a length prefix. */
  public BinaryWriter writeRaw(byte[] bytes, int offset, int length) {
    ensure(length);
    System.arraycopy(bytes, offset, buffer, position, length);
    position += length;
    return this;
  }

  /** Writes a u32 length and the bytes. */
  public BinaryWriter writeBytes(byte[] bytes) {
    writeInt(bytes.length);
    return writeRaw(bytes, 0, bytes.length);
  }

  /** Writes a u16 length and the UTF-8 encoding of {@code value}. */
  public BinaryWriter writeString(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 0xFFFF) {
      throw new IllegalArgumentException("string of " + utf8.length + " UTF-8 bytes exceeds 65535");
    }
    writeShort(utf8.length);
    return writeRaw(utf8, 0, utf8.length);
  }

  /** Writes a client identity as a string. */
  public BinaryWriter writeClientId(ClientId client) {
    return writeString(client.value());
  }

  /** Writes a request. */
  public BinaryWriter writeRequest(Request request) {
    writeClientId(request.client());
    writeLong(request.sequence());
    writeByte(request.kind() == Request.Kind.COMMAND ? 0 : 1);
    writeBytes(request.command());
    if (request.copyFrom() == null) {
      return writeByte(0);
    }
    writeByte(1);
    return writeClientId(request.copyFrom());
  }

  /** Writes a log entry. */
  public BinaryWriter writeLogEntry(LogEntry entry) {
    writeLong(entry.index());
    writeLong(entry.term());
    writeLong(entry.time());
    if (entry.request() == null) {
      return writeByte(0);
    }
    writeByte(1);
    return writeRequest(entry.request());
  }

  /** Writes a hard state: the protocol's opaque bytes. */
  public BinaryWriter writeHardState(StorageWrite.HardState state) {
    return writeBytes(state.state());
  }

  /** Writes a snapshot, including its state bytes. */
  public BinaryWriter writeSnapshot(Snapshot snapshot) {
    writeLong(snapshot.index());
    writeLong(snapshot.term());
    writeLong(snapshot.time());
    writeInt(snapshot.members().size());
    for (int member : snapshot.members()) {
      writeInt(member);
    }
    return writeBytes(snapshot.state());
  }
}
