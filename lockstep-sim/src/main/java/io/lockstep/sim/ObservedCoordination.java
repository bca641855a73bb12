package io.lockstep.sim;

import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.Ready;
import io.lockstep.order.Status;

/**
 * Wraps the protocol under test so the {@link Monitor} sees every Ready before the executor does:
 * what each replica is told is stable, and each snapshot it installs. It changes nothing.
 */
final class ObservedCoordination implements Coordination {
  private final int replica;
  private final Coordination inner;
  private final Monitor monitor;
  private final Trace trace;
  private final EventQueue queue;

  ObservedCoordination(int replica, Coordination inner, Monitor monitor, Trace trace,
      EventQueue queue) {
    this.replica = replica;
    this.inner = inner;
    this.monitor = monitor;
    this.trace = trace;
    this.queue = queue;
  }

  @Override
  public void step(Input input) {
    inner.step(input);
  }

  @Override
  public Ready ready() {
    Ready ready = inner.ready();
    if (ready.install() != null) {
      trace.record(queue.now(), "install " + replica + " " + ready.install().index());
    }
    for (Ordered ordered : ready.stable()) {
      trace.record(queue.now(), "apply " + replica + " " + ordered.position() + " "
          + ordered.request() + " t=" + ordered.time());
    }
    monitor.onReady(replica, ready);
    return ready;
  }

  @Override
  public Status status() {
    return inner.status();
  }

  @Override
  public long dropped() {
    return inner.dropped();
  }

  @Override
  public boolean mayLeaveBeforeDurable(ProtocolMessage message) {
    return inner.mayLeaveBeforeDurable(message);
  }
}
