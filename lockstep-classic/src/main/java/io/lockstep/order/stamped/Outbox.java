package io.lockstep.order.stamped;

import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/** The effects accumulated since the last {@code ready()}. */
final class Outbox {
  final List<StorageWrite> writes = new ArrayList<>();
  final List<Ready.Outbound> messages = new ArrayList<>();
  final List<Ordered> stable = new ArrayList<>();
  final List<Ready.ReadGrant> reads = new ArrayList<>();
  final List<Ready.Redirect> redirects = new ArrayList<>();

  void send(int to, StampedMessage message) {
    messages.add(new Ready.Outbound(to, message));
  }

  Ready drain() {
    if (writes.isEmpty() && messages.isEmpty() && stable.isEmpty() && reads.isEmpty()
        && redirects.isEmpty()) {
      return Ready.EMPTY;
    }
    Ready ready = new Ready(writes, messages, null, stable, reads, redirects);
    writes.clear();
    messages.clear();
    stable.clear();
    reads.clear();
    redirects.clear();
    return ready;
  }
}
