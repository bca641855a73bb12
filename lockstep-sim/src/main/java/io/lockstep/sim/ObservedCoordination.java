package io.lockstep.sim;

import io.lockstep.order.Coordination;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;

/**
 * Wraps the protocol under test so the {@link Monitor} sees every Ready before the executor does:
 * what each replica is told is stable, and each snapshot it installs. It changes nothing.
 */
final class ObservedCoordination extends ForwardingCoordination {
  private final int replica;
  private final Monitor monitor;
  private final Trace trace;
  private final EventQueue queue;

  ObservedCoordination(int replica, Coordination inner, Monitor monitor, Trace trace,
      EventQueue queue) {
    super(inner);
    this.replica = replica;
    this.monitor = monitor;
    this.trace = trace;
    this.queue = queue;
  }

  @Override
  public Ready ready() {
    Ready ready = super.ready();
    if (ready.install() != null) {
      trace.record(queue.now(), "install " + replica + " " + ready.install().index());
    }
    for (Ordered ordered : ready.stable()) {
      trace.record(queue.now(), "apply " + replica + " " + ordered.position() + " "
          + ordered.request() + " t=" + ordered.time());
    }
    monitor.onReady(replica, ready);
    monitor.onStamped(replica, ready, status());
    if (repairing()) {
      monitor.onRepairingReady(replica, ready);
    }
    return ready;
  }
}
