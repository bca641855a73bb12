package io.lockstep.server.lock;

import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import io.lockstep.storage.codec.CodecException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * The paper's lock service with time-outs (§5.2) as a network service: many named locks, each
 * behaving like {@link io.lockstep.examples.mutex.Mutex} — grant when free, FIFO waiters,
 * release by the holder (a waiter's release withdraws it from the queue; anyone else's is
 * refused), and on <em>every</em> grant (hand-overs too)
 * record {@code time_granted} and {@code schedule timeout(name, time_granted) for +B}, where B
 * is the hold time the acquirer asked for (capped at {@link #MAX_HOLD_MILLIS}). A time-out whose
 * {@code time_granted} no longer matches is ignored. A lock with no holder and no waiters is
 * forgotten, so state stays bounded by live locks.
 *
 * <p>Deterministic: sorted maps only, time only from {@link Context#time()}.
 */
public final class LockService implements StateMachine {
  /** Longest hold time a client may ask for: one day of agreed time. */
  public static final long MAX_HOLD_MILLIS = 86_400_000L;
  /** Most locks held or waited for at once. */
  public static final int MAX_LOCKS = 100_000;
  /** Longest queue of one lock. */
  public static final int MAX_WAITERS = 1_000;
  private static final int SNAPSHOT_VERSION = 1;

  private final TreeMap<String, Lock> locks = new TreeMap<>();

  /** A waiter and the hold time it asked for. */
  private record Waiter(ClientId client, long holdMillis) {}

  /** One named lock. */
  private static final class Lock {
    ClientId holder;
    long timeGranted;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    LockCodec.Command c = LockCodec.decode(command);
    return switch (c.op()) {
      case LockCodec.ACQUIRE -> acquire(c.name(), c.argument(), context);
      case LockCodec.RELEASE -> release(c.name(), context);
      case LockCodec.TIMEOUT -> timeout(c.name(), c.argument(), context);
      default -> state(c.name(), context.client());
    };
  }

  @Override
  public byte[] query(byte[] query, ClientId caller) {
    LockCodec.Command c = LockCodec.decode(query);
    if (c.op() != LockCodec.HOLDER) {
      throw new Rejection("ERR only HOLDER can be served as a read-only query");
    }
    return state(c.name(), caller);
  }

  private byte[] acquire(String name, long holdMillis, Context context) {
    if (holdMillis < 1 || holdMillis > MAX_HOLD_MILLIS) {
      throw new Rejection("ERR hold time must be 1.." + MAX_HOLD_MILLIS + " ms, was " + holdMillis);
    }
    ClientId caller = context.client();
    Lock lock = locks.get(name);
    if (lock == null) {
      if (locks.size() >= MAX_LOCKS) {
        throw new Rejection("ERR too many locks (" + MAX_LOCKS + ")");
      }
      lock = new Lock();
      locks.put(name, lock);
    }
    if (lock.holder == null) {
      grant(name, lock, new Waiter(caller, holdMillis), context);
    } else if (!lock.holder.equals(caller) && position(lock, caller) < 0) {
      if (lock.waiters.size() >= MAX_WAITERS) {
        throw new Rejection("ERR the queue of lock " + name + " is full (" + MAX_WAITERS + ")");
      }
      lock.waiters.addLast(new Waiter(caller, holdMillis));
    }
    return state(name, caller);
  }

  /**
   * By the holder: hands the lock on. By a waiter: withdraws it from the queue (a client that
   * gave up waiting must not be granted the lock later and block everyone behind it for its
   * whole hold time). By anyone else: refused, changing nothing.
   */
  private byte[] release(String name, Context context) {
    Lock lock = locks.get(name);
    ClientId caller = context.client();
    if (lock != null && caller.equals(lock.holder)) {
      handOver(name, lock, context);
    } else if (lock == null || !lock.waiters.removeIf(w -> w.client().equals(caller))) {
      throw new Rejection("ERR release ignored: " + caller + " neither holds nor waits for lock "
          + name);
    }
    return state(name, caller);
  }

  private byte[] timeout(String name, long timeGranted, Context context) {
    if (!context.isTimeout()) {
      throw new Rejection("ERR timeout is issued only by the lock service's own schedule");
    }
    Lock lock = locks.get(name);
    if (lock != null && lock.holder != null && lock.timeGranted == timeGranted) {
      handOver(name, lock, context);
    }
    return state(name, context.client());
  }

  /** Paper §5.2: every grant records time_granted and schedules its own time-out. */
  private void grant(String name, Lock lock, Waiter next, Context context) {
    lock.holder = next.client();
    lock.timeGranted = context.time();
    context.schedule(LockCodec.timeout(name, lock.timeGranted), next.holdMillis());
  }

  private void handOver(String name, Lock lock, Context context) {
    Waiter next = lock.waiters.pollFirst();
    if (next == null) {
      locks.remove(name);
    } else {
      grant(name, lock, next, context);
    }
  }

  private static int position(Lock lock, ClientId client) {
    int i = 1;
    for (Waiter w : lock.waiters) {
      if (w.client().equals(client)) {
        return i;
      }
      i++;
    }
    return -1;
  }

  private byte[] state(String name, ClientId caller) {
    Lock lock = locks.get(name);
    if (lock == null) {
      return LockCodec.encodeState(new LockCodec.State(null, 0, 0, -1));
    }
    int position = caller.equals(lock.holder) ? 0 : position(lock, caller);
    return LockCodec.encodeState(
        new LockCodec.State(lock.holder, lock.timeGranted, lock.waiters.size(), position));
  }

  @Override
  public byte[] snapshot() {
    BinaryWriter out = new BinaryWriter().writeByte(SNAPSHOT_VERSION).writeInt(locks.size());
    for (Map.Entry<String, Lock> e : locks.entrySet()) {
      Lock lock = e.getValue();
      out.writeString(e.getKey()).writeClientId(lock.holder).writeLong(lock.timeGranted)
          .writeInt(lock.waiters.size());
      lock.waiters.forEach(w -> out.writeClientId(w.client()).writeLong(w.holdMillis()));
    }
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    try {
      BinaryReader in = new BinaryReader(snapshot);
      if (in.readByte("version") != SNAPSHOT_VERSION) {
        throw new IllegalArgumentException("unsupported lock snapshot version");
      }
      int count = in.readInt("count");
      TreeMap<String, Lock> restored = new TreeMap<>();
      for (int i = 0; i < count; i++) {
        Lock lock = new Lock();
        String name = in.readString("name", LockCodec.MAX_NAME_BYTES);
        lock.holder = in.readClientId("holder");
        lock.timeGranted = in.readLong("timeGranted");
        int waiters = in.readInt("waiters");
        for (int w = 0; w < waiters; w++) {
          lock.waiters.addLast(new Waiter(in.readClientId("waiter"), in.readLong("hold")));
        }
        restored.put(name, lock);
      }
      in.expectEnd("lock snapshot");
      locks.clear();
      locks.putAll(restored);
    } catch (CodecException e) {
      throw new IllegalArgumentException("malformed lock snapshot: " + e.getMessage(), e);
    }
  }
}
