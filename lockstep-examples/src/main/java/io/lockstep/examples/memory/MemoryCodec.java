package io.lockstep.examples.memory;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;

/**
 * Encoding of the memory's commands: {@code byte version (1), byte op, long address} and for
 * WRITE a {@code long value}; READ is 1, WRITE is 2. Outputs are one long: the value read, or
 * the value a write replaced.
 */
public final class MemoryCodec {
  /** Encoding version written into every command. */
  public static final int VERSION = 1;

  static final int READ = 1;
  static final int WRITE = 2;

  private MemoryCodec() {}

  /** {@code read(address)}: as a command or a query. */
  public static byte[] read(long address) {
    return new WireWriter().writeByte(VERSION).writeByte(READ).writeLong(address).toByteArray();
  }

  /** {@code write(address, value)}: refused outside the caller's write ranges. */
  public static byte[] write(long address, long value) {
    return new WireWriter().writeByte(VERSION).writeByte(WRITE).writeLong(address)
        .writeLong(value).toByteArray();
  }

  /** Decodes a read or write output. */
  public static long decodeValue(byte[] out) {
    WireReader in = new WireReader(out, "memory output");
    long value = in.readLong();
    in.end();
    return value;
  }

  static byte[] encodeValue(long value) {
    return new WireWriter().writeLong(value).toByteArray();
  }
}
