package io.lockstep.examples.mutex;

import io.lockstep.codec.WireReader;
import io.lockstep.codec.WireWriter;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.Rejection;
import io.lockstep.machine.StateMachine;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The paper's mutex with time-outs (§5.2): a lock that no client can hold for longer than
 * {@code B} milliseconds of agreed time, even a faulty one.
 *
 * <ul>
 *   <li>{@code acquire}: if the lock is free, grant it: record {@code time_granted} (the agreed
 *       time) and {@code schedule timeout(time_granted) for +B}; otherwise join the FIFO queue.
 *       Acquiring again while holding or waiting changes nothing and reports the same state.
 *   <li>{@code release}: refused unless the caller holds the lock (the paper: ignored unless
 *       from the holder); hands the lock to the next waiter or frees it.
 *   <li>{@code timeout(w)}: does nothing unless {@code w == time_granted}; otherwise the holder
 *       overstayed, and the lock goes to the next waiter or is freed.
 * </ul>
 *
 * <p>Every grant, including a hand-over to a waiter, records its time and schedules its own
 * time-out, so every holder is bounded by B. A time-out belonging to an earlier grant finds a
 * different {@code time_granted} and is ignored. Clients cannot issue {@code timeout}: only the
 * executor's scheduled request can. A waiter learns of its grant by acquiring again or by the
 * HOLDER query.
 */
public final class Mutex implements StateMachine {
  private static final int SNAPSHOT_VERSION = 1;

  private final long holdMillis;
  private final int maxWaiters;
  private ClientId holder;
  private long timeGranted;
  private final Deque<ClientId> waiters = new ArrayDeque<>();

  /**
   * @param holdMillis B, the longest a client may hold the lock, in agreed milliseconds
   * @param maxWaiters the longest queue; further acquires are refused
   */
  public Mutex(long holdMillis, int maxWaiters) {
    if (holdMillis < 1) {
      throw new IllegalArgumentException("holding time B must be positive, was " + holdMillis);
    }
    if (maxWaiters < 0) {
      throw new IllegalArgumentException("maxWaiters must not be negative, was " + maxWaiters);
    }
    this.holdMillis = holdMillis;
    this.maxWaiters = maxWaiters;
  }

  @Override
  public byte[] apply(byte[] command, Context context) {
    Command decoded = decode(command);
    return switch (decoded.op()) {
      case MutexCodec.ACQUIRE -> acquire(context);
      case MutexCodec.RELEASE -> release(context);
      case MutexCodec.TIMEOUT -> timeout(decoded.timeGranted(), context);
      default -> state();
    };
  }

  /** HOLDER is the only query; as a command it is a logged read of the same state. */
  @Override
  public byte[] query(byte[] query, ClientId caller) {
    if (decode(query).op() != MutexCodec.HOLDER) {
      throw new Rejection("the only mutex query is HOLDER");
    }
    return state();
  }

  private byte[] acquire(Context context) {
    ClientId caller = context.client();
    if (holder == null) {
      grant(caller, context);
    } else if (!holder.equals(caller) && !waiters.contains(caller)) {
      if (waiters.size() >= maxWaiters) {
        throw new Rejection("the mutex queue is full (" + maxWaiters + " waiters)");
      }
      waiters.addLast(caller);
    }
    if (caller.equals(holder)) {
      return MutexCodec.encodeAcquired(new MutexCodec.Acquired(true, timeGranted, 0));
    }
    return MutexCodec.encodeAcquired(new MutexCodec.Acquired(false, 0, positionOf(caller)));
  }

  private byte[] release(Context context) {
    if (!context.client().equals(holder)) {
      throw new Rejection("release ignored: " + context.client() + " does not hold the lock"
          + (holder == null ? " (it is free)" : ""));
    }
    handOver(context);
    return state();
  }

  private byte[] timeout(long w, Context context) {
    if (!context.isTimeout()) {
      throw new Rejection("timeout is issued only by the mutex's own schedule");
    }
    if (holder != null && w == timeGranted) {
      handOver(context);
    }
    return state();
  }

  /** Paper §5.2: on every grant, record time_granted and schedule timeout(time_granted). */
  private void grant(ClientId client, Context context) {
    holder = client;
    timeGranted = context.time();
    context.schedule(MutexCodec.timeout(timeGranted), holdMillis);
  }

  private void handOver(Context context) {
    ClientId next = waiters.pollFirst();
    if (next == null) {
      holder = null;
      timeGranted = 0;
    } else {
      grant(next, context);
    }
  }

  private int positionOf(ClientId client) {
    int position = 1;
    for (ClientId waiter : waiters) {
      if (waiter.equals(client)) {
        return position;
      }
      position++;
    }
    throw new IllegalStateException(client + " is neither holder nor waiter");
  }

  private byte[] state() {
    return MutexCodec.encodeState(holder, timeGranted, waiters.size());
  }

  @Override
  public byte[] snapshot() {
    WireWriter out = new WireWriter().writeByte(SNAPSHOT_VERSION).writeBoolean(holder != null);
    if (holder != null) {
      out.writeString(holder.value());
    }
    out.writeLong(timeGranted).writeInt(waiters.size());
    waiters.forEach(w -> out.writeString(w.value()));
    return out.toByteArray();
  }

  @Override
  public void restore(byte[] snapshot) {
    WireReader in = new WireReader(snapshot, "mutex snapshot");
    if (in.readByte() != SNAPSHOT_VERSION) {
      throw in.malformed("unsupported snapshot version");
    }
    ClientId restoredHolder = in.readBoolean() ? client(in) : null;
    long restoredTime = in.readLong();
    int count = in.readInt();
    if (count < 0 || (long) count * 5 > in.remaining()) {
      throw in.malformed("waiter count " + count + " does not fit");
    }
    Deque<ClientId> restoredWaiters = new ArrayDeque<>();
    for (int i = 0; i < count; i++) {
      restoredWaiters.addLast(client(in));
    }
    in.end();
    holder = restoredHolder;
    timeGranted = restoredTime;
    waiters.clear();
    waiters.addAll(restoredWaiters);
  }

  private static ClientId client(WireReader in) {
    String value = in.readString("client", ClientId.MAX_LENGTH * 4);
    try {
      return ClientId.of(value);
    } catch (IllegalArgumentException e) {
      throw in.malformed(e.getMessage());
    }
  }

  /** Decodes a command; a malformed one is refused (paper §5.2) before anything changes. */
  private static Command decode(byte[] command) {
    WireReader in = new WireReader(command, "mutex command");
    try {
      int version = in.readByte();
      if (version != MutexCodec.VERSION) {
        throw in.malformed("unsupported version " + version);
      }
      int op = in.readByte();
      if (op < MutexCodec.ACQUIRE || op > MutexCodec.HOLDER) {
        throw in.malformed("unknown operation " + op);
      }
      long timeGranted = op == MutexCodec.TIMEOUT ? in.readLong() : 0;
      in.end();
      return new Command(op, timeGranted);
    } catch (WireReader.MalformedException e) {
      throw new Rejection(e.getMessage());
    }
  }

  /** A decoded command: an operation and, for TIMEOUT, the grant it belongs to. */
  private record Command(int op, long timeGranted) {}
}
