package io.lockstep.order;

import io.lockstep.journal.Event;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Coordination} that passes every call to another one; a subclass overrides only what it
 * observes or changes (a monitor in the simulator, a deliberately broken variant in a test).
 * Extending this rather than implementing {@link Coordination} afresh keeps a wrapper correct
 * when the interface gains a method: a default it forgot to forward would silently change the
 * wrapped protocol's behaviour.
 */
public abstract class ForwardingCoordination implements Coordination {
  private Coordination inner;

  /** Wraps {@code inner}. */
  protected ForwardingCoordination(Coordination inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  /** The wrapped protocol. */
  protected final Coordination inner() {
    return inner;
  }

  /**
   * From now on wraps {@code next} instead: for a wrapper whose protocol is replaced in place
   * (a halted engine by the one that rejoins), which still forwards everything it does not
   * override to whichever is current.
   */
  protected final void replaceInner(Coordination next) {
    this.inner = Objects.requireNonNull(next, "next");
  }

  @Override
  public void step(Input input) {
    inner.step(input);
  }

  @Override
  public Ready ready() {
    return inner.ready();
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
  public Map<String, Long> dropsByReason() {
    return inner.dropsByReason();
  }

  @Override
  public boolean mayLeaveBeforeDurable(ProtocolMessage message) {
    return inner.mayLeaveBeforeDurable(message);
  }

  @Override
  public boolean resentIfLost(ProtocolMessage message) {
    return inner.resentIfLost(message);
  }

  @Override
  public boolean mayAnswerBeforeDurable() {
    return inner.mayAnswerBeforeDurable();
  }

  @Override
  public long agreedTimeNow(long wallClock) {
    return inner.agreedTimeNow(wallClock);
  }

  @Override
  public boolean repairing() {
    return inner.repairing();
  }

  @Override
  public String repairReason() {
    return inner.repairReason();
  }

  @Override
  public List<Event> drainEvents() {
    return inner.drainEvents();
  }

  @Override
  public List<String> drainBrokenAssumptions() {
    return inner.drainBrokenAssumptions();
  }

  @Override
  public List<String> drainRepairedAssumptions() {
    return inner.drainRepairedAssumptions();
  }

  @Override
  public boolean wantsSnapshot() {
    return inner.wantsSnapshot();
  }

  @Override
  public boolean takesPeriodicSnapshots() {
    return inner.takesPeriodicSnapshots();
  }

  @Override
  public boolean takesCheckpointStateLater() {
    return inner.takesCheckpointStateLater();
  }

  @Override
  public CheckpointSeal checkpointSeal(long position) {
    return inner.checkpointSeal(position);
  }

  @Override
  public long checkpointStateIndex(long position) {
    return inner.checkpointStateIndex(position);
  }

  @Override
  public Configuration configuration() {
    return inner.configuration();
  }

  @Override
  public void replaceSilentVoters(List<Integer> spares, long unreachableMillis,
      long startGraceMillis) {
    inner.replaceSilentVoters(spares, unreachableMillis, startGraceMillis);
  }
}
