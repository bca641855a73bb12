package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer for the executor's snapshot format. Hand-written rather than
 * {@code DataOutputStream} so that encoding never throws checked exceptions and the layout is
 * exactly what {@link BinaryReader} checks.
 */
final class BinaryWriter {
  private byte[] buffer = new byte[256];
  private int size;

  void writeByte(int value) {
    ensure(1);
    buffer[size++] = (byte) value;
  }

  void writeBoolean(boolean value) {
    writeByte(value ? 1 : 0);
  }

  void writeInt(int value) {
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
  }

  void writeLong(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
  }

  /** Length-prefixed bytes. */
  void writeBytes(byte[] bytes) {
    writeInt(bytes.length);
    writeRaw(bytes);
  }

  void writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
  }

  /** Length-prefixed UTF-8 text. */
  void writeString(String text) {
    writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  void writeClient(ClientId client) {
    writeString(client.value());
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }

  private void ensure(int more) {
    if (size + more > buffer.length) {
      long wanted = Math.max((long) buffer.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("executor snapshot exceeds 2 GiB at " + size + " bytes");
      }
      buffer = Arrays.copyOf(buffer, (int) wanted);
    }
  }
}
