package io.lockstep.server.lock;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;

/**
 * Commands and outputs of the {@link LockService}. Layout: {@code u8 version (1), u8 op,
 * string name, [i64 holdMillis | i64 timeGranted]}.
 *
 * <pre>
 * 1 ACQUIRE  name, i64 holdMillis    grant now or queue (FIFO)
 * 2 RELEASE  name                    only by the holder
 * 3 TIMEOUT  name, i64 timeGranted   issued only by the service's own schedule
 * 4 HOLDER   name                    the query
 * </pre>
 *
 * Output ({@link State}): {@code string holder ("" when free), i64 timeGranted, i32 waiters,
 * i32 callerPosition (0 holds, k &gt; 0 waits k-th, -1 neither)}.
 */
public final class LockCodec {
  static final int VERSION = 1;
  static final int ACQUIRE = 1;
  static final int RELEASE = 2;
  static final int TIMEOUT = 3;
  static final int HOLDER = 4;
  /** Longest lock name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 256;

  private LockCodec() {}

  /**
   * A lock's state as seen by the caller.
   *
   * @param holder who holds it, or null when free
   * @param timeGranted agreed time of the current grant (0 when free)
   * @param waiters clients queued behind the holder
   * @param callerPosition 0 if the caller holds the lock, k if it waits k-th, -1 otherwise
   */
  public record State(ClientId holder, long timeGranted, int waiters, int callerPosition) {
    /** True when the caller holds the lock. */
    public boolean held() {
      return callerPosition == 0;
    }
  }

  /** {@code acquire(name)}, asking to hold it at most {@code holdMillis} of agreed time. */
  public static byte[] acquire(String name, long holdMillis) {
    return header(ACQUIRE, name).writeLong(holdMillis).toByteArray();
  }

  /** {@code release(name)}. */
  public static byte[] release(String name) {
    return header(RELEASE, name).toByteArray();
  }

  /** The query for a lock's state. */
  public static byte[] holder(String name) {
    return header(HOLDER, name).toByteArray();
  }

  static byte[] timeout(String name, long timeGranted) {
    return header(TIMEOUT, name).writeLong(timeGranted).toByteArray();
  }

  private static BinaryWriter header(int op, String name) {
    return new BinaryWriter(32).writeByte(VERSION).writeByte(op).writeString(name);
  }

  /** A decoded command. */
  record Command(int op, String name, long argument) {}

  /** Decodes a command; malformed ones are refused before anything changes (paper §5.2). */
  static Command decode(byte[] bytes) {
    try {
      BinaryReader in = new BinaryReader(bytes);
      int version = in.readByte("version");
      if (version != VERSION) {
        throw new Rejection("ERR unsupported lock command version " + version);
      }
      int op = in.readByte("op");
      String name = in.readString("name", MAX_NAME_BYTES);
      if (name.isEmpty()) {
        throw new Rejection("ERR a lock needs a name");
      }
      long argument = op == ACQUIRE || op == TIMEOUT ? in.readLong("argument") : 0;
      if (op < ACQUIRE || op > HOLDER) {
        throw new Rejection("ERR unknown lock operation " + op);
      }
      in.expectEnd("lock command");
      return new Command(op, name, argument);
    } catch (CodecException e) {
      // The refusal is a replicated reply. The reader's own messages name only fields, offsets
      // and lengths; one that wraps another exception may carry a JDK-worded message, which
      // can differ between replicas' JDKs, so it is not passed on.
      throw new Rejection(e.getCause() == null ? "ERR malformed lock command: " + e.getMessage()
          : "ERR malformed lock command");
    }
  }

  static byte[] encodeState(State state) {
    return new BinaryWriter(48).writeString(state.holder() == null ? "" : state.holder().value())
        .writeLong(state.timeGranted()).writeInt(state.waiters()).writeInt(state.callerPosition())
        .toByteArray();
  }

  /** Decodes a {@link LockService} output. */
  public static State decodeState(byte[] bytes) {
    BinaryReader in = new BinaryReader(bytes);
    String holder = in.readString("holder", ClientId.MAX_LENGTH * 4);
    State state = new State(holder.isEmpty() ? null : ClientId.of(holder), in.readLong("time"),
        in.readInt("waiters"), in.readInt("position"));
    in.expectEnd("lock state");
    return state;
  }
}
