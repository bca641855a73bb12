package io.lockstep.examples.mutex;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import java.util.Optional;

/**
 * Encoding of the mutex's commands and outputs. A command is {@code byte version (1), byte op}:
 * ACQUIRE 1, RELEASE 2, TIMEOUT 3 followed by {@code long timeGranted}; the query HOLDER is 4.
 */
public final class MutexCodec {
  /** Encoding version written into every command. */
  public static final int VERSION = 1;

  static final int ACQUIRE = 1;
  static final int RELEASE = 2;
  static final int TIMEOUT = 3;
  static final int HOLDER = 4;

  private MutexCodec() {}

  /** The outcome of an acquire: granted now, or queued behind others. */
  public record Acquired(boolean granted, long timeGranted, int queuePosition) {}

  /**
   * The lock's state, as the HOLDER query reports it.
   *
   * @param holder the client holding the lock, if any
   * @param timeGranted the agreed time at which it was granted (0 when free)
   * @param waiting how many clients wait
   */
  public record LockState(Optional<ClientId> holder, long timeGranted, int waiting) {}

  /** {@code acquire}: output {@link #decodeAcquired}. */
  public static byte[] acquire() {
    return new WireWriter().writeByte(VERSION).writeByte(ACQUIRE).toByteArray();
  }

  /** {@code release}: output {@link #decodeState} of the lock after the release. */
  public static byte[] release() {
    return new WireWriter().writeByte(VERSION).writeByte(RELEASE).toByteArray();
  }

  /** Query {@code holder}: output {@link #decodeState}. */
  public static byte[] holder() {
    return new WireWriter().writeByte(VERSION).writeByte(HOLDER).toByteArray();
  }

  /** Paper §5.2 {@code timeout(time_granted)}: only the lock's own schedule issues it. */
  static byte[] timeout(long timeGranted) {
    return new WireWriter().writeByte(VERSION).writeByte(TIMEOUT).writeLong(timeGranted)
        .toByteArray();
  }

  public static Acquired decodeAcquired(byte[] out) {
    WireReader in = new WireReader(out, "mutex acquire output");
    Acquired acquired = new Acquired(in.readBoolean(), in.readLong(), in.readInt());
    in.end();
    return acquired;
  }

  public static LockState decodeState(byte[] out) {
    WireReader in = new WireReader(out, "mutex state output");
    Optional<ClientId> holder = in.readBoolean()
        ? Optional.of(ClientId.of(in.readString("holder", ClientId.MAX_LENGTH * 4)))
        : Optional.empty();
    LockState state = new LockState(holder, in.readLong(), in.readInt());
    in.end();
    return state;
  }

  static byte[] encodeAcquired(Acquired acquired) {
    return new WireWriter().writeBoolean(acquired.granted()).writeLong(acquired.timeGranted())
        .writeInt(acquired.queuePosition()).toByteArray();
  }

  static byte[] encodeState(ClientId holder, long timeGranted, int waiting) {
    WireWriter out = new WireWriter().writeBoolean(holder != null);
    if (holder != null) {
      out.writeString(holder.value());
    }
    return out.writeLong(timeGranted).writeInt(waiting).toByteArray();
  }
}
