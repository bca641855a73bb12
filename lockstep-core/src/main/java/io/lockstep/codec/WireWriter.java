package io.lockstep.codec;

import io.lockstep.machine.ClientId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small big-endian encoder: bytes, ints, longs, length-prefixed bytes and UTF-8 strings,
 * without checked exceptions. Used by the executor's snapshot format and by state machines'
 * command codecs; {@link WireReader} reads it back.
 */
public final class WireWriter {
  private byte[] buffer;
  private int size;

  /** A writer whose buffer starts small and doubles as needed. */
  public WireWriter() {
    this(64);
  }

  /**
   * A writer whose buffer starts at {@code initialCapacity} bytes: an encoder that knows about
   * how much it will write spares the copies of growing from a small start.
   */
  public WireWriter(int initialCapacity) {
    if (initialCapacity < 1) {
      throw new IllegalArgumentException("initial capacity must be positive, was "
          + initialCapacity);
    }
    buffer = new byte[initialCapacity];
  }

  /** Appends one byte. */
  public WireWriter writeByte(int value) {
    ensure(1);
    buffer[size++] = (byte) value;
    return this;
  }

  /** Appends a boolean as one byte, 0 or 1. */
  public WireWriter writeBoolean(boolean value) {
    return writeByte(value ? 1 : 0);
  }

  /** Appends a big-endian int. */
  public WireWriter writeInt(int value) {
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
    return this;
  }

  /** Appends a big-endian long. */
  public WireWriter writeLong(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
    return this;
  }

  /** Appends an int length followed by the bytes. */
  public WireWriter writeBytes(byte[] bytes) {
    writeInt(bytes.length);
    return writeRaw(bytes);
  }

  /** Appends the bytes with no length prefix. */
  public WireWriter writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
    return this;
  }

  /** Appends a client identity as length-prefixed UTF-8 text. */
  public WireWriter writeClient(ClientId client) {
    return writeString(client.value());
  }

  /** Bytes written so far. */
  public int size() {
    return size;
  }

  /** Appends length-prefixed UTF-8 text. */
  public WireWriter writeString(String text) {
    return writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The bytes written so far: the buffer itself when they fill it exactly (every write appends,
   * and a write to a full buffer moves to a new one, so the array handed out never changes),
   * otherwise a copy.
   */
  public byte[] toByteArray() {
    return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
  }

  private void ensure(int more) {
    if (size + more > buffer.length) {
      long wanted = Math.max((long) buffer.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("encoding exceeds 2 GiB");
      }
      buffer = Arrays.copyOf(buffer, (int) wanted);
    }
  }
}
