package io.lockstep.order.stamped;

import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * The effects a classic ordering protocol accumulated since its last {@code ready()}, handed
 * out as one {@link Ready}. Shared by the ordering schemes.
 */
public final class Outbox {
  /** Durable writes. */
  public final List<StorageWrite> writes = new ArrayList<>();
  /** Messages to other replicas. */
  public final List<Ready.Outbound> messages = new ArrayList<>();
  /** Requests made stable, in order. */
  public final List<Ordered> stable = new ArrayList<>();
  /** Reads that may be served. */
  public final List<Ready.ReadGrant> reads = new ArrayList<>();
  /** Requests and reads refused. */
  public final List<Ready.Redirect> redirects = new ArrayList<>();
  /** A snapshot for the executor to restore before applying {@link #stable}, or null. */
  public io.lockstep.order.Snapshot install;

  /** Queues {@code message} for replica {@code to}. */
  public void send(int to, io.lockstep.order.ProtocolMessage message) {
    messages.add(new Ready.Outbound(to, message));
  }

  /** The accumulated effects, forgotten here. */
  public Ready drain() {
    if (writes.isEmpty() && messages.isEmpty() && stable.isEmpty() && reads.isEmpty()
        && redirects.isEmpty() && install == null) {
      return Ready.EMPTY;
    }
    Ready ready = new Ready(writes, messages, install, stable, reads, redirects);
    install = null;
    writes.clear();
    messages.clear();
    stable.clear();
    reads.clear();
    redirects.clear();
    return ready;
  }
}
