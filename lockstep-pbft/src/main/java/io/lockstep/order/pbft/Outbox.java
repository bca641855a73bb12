package io.lockstep.order.pbft;

import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The effects accumulated since the last {@link Pbft#ready()}. */
final class Outbox {
  private final int self;
  private final Supplier<List<Integer>> members;
  private List<StorageWrite> writes = new ArrayList<>();
  private List<Ready.Outbound> messages = new ArrayList<>();
  private List<Ordered> stable = new ArrayList<>();
  private List<Ready.ReadGrant> reads = new ArrayList<>();
  private List<Ready.Redirect> redirects = new ArrayList<>();
  private Snapshot install;

  /** {@code members}: the configuration in force, which changes at boundaries. */
  Outbox(int self, Supplier<List<Integer>> members) {
    this.self = self;
    this.members = members;
  }

  void send(int to, ProtocolMessage message) {
    if (to != self) {
      messages.add(new Ready.Outbound(to, message));
    }
  }

  void broadcast(ProtocolMessage message) {
    for (int member : members.get()) {
      send(member, message);
    }
  }

  /** A write that must be durable before this Ready's messages leave. */
  void write(StorageWrite write) {
    writes.add(write);
  }

  void stable(Ordered ordered) {
    stable.add(ordered);
  }

  void read(Ready.ReadGrant grant) {
    reads.add(grant);
  }

  void redirect(Ready.Redirect redirect) {
    redirects.add(redirect);
  }

  void install(Snapshot snapshot) {
    install = snapshot;
  }

  boolean hasStable() {
    return !stable.isEmpty() || install != null;
  }

  Ready take() {
    Ready ready = new Ready(writes, messages, install, stable, reads, redirects);
    writes = new ArrayList<>();
    messages = new ArrayList<>();
    stable = new ArrayList<>();
    reads = new ArrayList<>();
    redirects = new ArrayList<>();
    install = null;
    return ready;
  }
}
