package io.lockstep.replica;

import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.order.Snapshot;
import io.lockstep.order.Status;
import io.lockstep.order.StorageWrite;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A tiny scripted coordination for Replica tests. As leader it orders each proposal at once at
 * the next position, stamped with the last tick's time, grants reads at the commit index and
 * persists snapshots; as follower it redirects. Tests can also queue arbitrary Readys.
 */
class ScriptedCoordination implements Coordination {
  final List<Input> inputs = new ArrayList<>();
  final Deque<Ready> queued = new ArrayDeque<>();
  Role role = Role.LEADER;
  long term = 1;
  long commitIndex;
  long now;
  /** Positions to skip before the next proposal, as a protocol no-op would. */
  int gapBeforeNext;
  /** When false, inputs are only recorded; the test queues every Ready itself. */
  boolean reacts = true;
  /** What {@link #takesPeriodicSnapshots()} answers. */
  boolean periodicSnapshots = true;

  @Override
  public boolean takesPeriodicSnapshots() {
    return periodicSnapshots;
  }

  @Override
  public void step(Input input) {
    inputs.add(input);
    if (!reacts) {
      return;
    }
    boolean leads = role == Role.LEADER;
    if (input instanceof Input.Tick tick) {
      now = tick.wallClock();
    } else if (input instanceof Input.Propose p && leads) {
      commitIndex += 1 + gapBeforeNext;
      gapBeforeNext = 0;
      queue(List.of(), List.of(new Ordered(commitIndex, now, p.request())), List.of(), List.of());
    } else if (input instanceof Input.Propose p) {
      queue(List.of(), List.of(), List.of(),
          List.of(new Ready.Redirect(p.request(), -1, 2, "not leader")));
    } else if (input instanceof Input.Read r && leads) {
      queue(List.of(), List.of(), List.of(new Ready.ReadGrant(r.readId(), commitIndex)),
          List.of());
    } else if (input instanceof Input.Read r) {
      queue(List.of(), List.of(), List.of(),
          List.of(new Ready.Redirect(null, r.readId(), 2, "not leader")));
    } else if (input instanceof Input.SnapshotTaken s) {
      queue(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(s.position(), term, now, List.of(0), s.state()))), List.of(), List.of(),
          List.of());
    }
  }

  private void queue(List<StorageWrite> writes, List<Ordered> stable, List<Ready.ReadGrant> reads,
      List<Ready.Redirect> redirects) {
    queued.add(new Ready(writes, List.of(), null, stable, reads, redirects));
  }

  @Override
  public Ready ready() {
    return queued.isEmpty() ? Ready.EMPTY : queued.poll();
  }

  @Override
  public Status status() {
    return new Status(0, role, term, role == Role.LEADER ? 0 : 2, commitIndex, commitIndex, 0);
  }

  @Override
  public long dropped() {
    return 0;
  }

  /** When set, the agreed time this protocol would stamp now, whatever the wall clock says. */
  Long heldTime;

  @Override
  public long agreedTimeNow(long wallClock) {
    return heldTime == null ? wallClock : heldTime;
  }

  /** Inputs of one type, in order. */
  <T extends Input> List<T> inputsOf(Class<T> type) {
    return inputs.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
