package io.lockstep.order.stamped;

import io.lockstep.order.Coordination;
import io.lockstep.order.ForwardingCoordination;
import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A fail-stop order engine that, once a peer suspects it of having failed while it runs, halts
 * and then rejoins in the same process exactly as a restarted replica does (paper §7.2): a new
 * engine built as if its storage showed it ran before, which asks a live replica for the state
 * ({@link FalseSuspicion} says why halting is right and enough).
 *
 * <p>The halted engine stays in place, refusing clients and sending nothing, for one failure
 * timeout before the new one starts: its broadcasts still on the way then reach the peers before
 * any of its new life (the rejoin assumes no old broadcast of the joiner is in flight), and the
 * peers have had the time to declare it failed, which a donor waits for.
 *
 * <p>Reports: the halt is a broken assumption ({@link #drainBrokenAssumptions}) and this replica
 * is {@link #repairing()} with the reason until the new engine has the donor's state; then, if no
 * engine of this replica reported an assumption broken that a rejoin does not repair ({@link
 * Engine#orderInDoubt}), {@link #drainRepairedAssumptions} says the halt is over.
 */
public final class HaltThenRejoin extends ForwardingCoordination {
  /** An order engine that can halt because a peer suspects it. */
  public interface Engine extends Coordination {
    /** Why this replica halted, or "" while it serves. */
    String halted();

    /**
     * Whether an assumption this engine reported broken may have left its order different from
     * its peers' (a rejoin replaces its state, but not what it already answered).
     */
    boolean orderInDoubt();
  }

  private final Supplier<? extends Engine> restarted;
  private final long quietMillis;
  private Engine current;
  /** Why the engine replaced last halted, until its successor has the state; else "". */
  private String halt = "";
  private long haltSeenAt = Long.MIN_VALUE;
  private boolean rejoining;
  private boolean inDoubt;
  private Ready carried = Ready.EMPTY;
  private final List<String> carriedBreaches = new ArrayList<>();
  private final List<String> repaired = new ArrayList<>();
  private long droppedBefore;
  private final Map<String, Long> dropsBefore = new HashMap<>();
  private long halts;

  /**
   * @param first the engine built from what storage held
   * @param restarted builds the engine of a replica that ran before (it rejoins)
   * @param quietMillis how long a halted engine stays silent before its successor starts: the
   *     failure timeout
   */
  public HaltThenRejoin(Engine first, Supplier<? extends Engine> restarted, long quietMillis) {
    super(first);
    this.current = first;
    this.restarted = restarted;
    this.quietMillis = quietMillis;
  }

  /** What storage holds for a replica that ran before: only the start marker matters. */
  public static Recovered ranBefore(byte[] startMarker) {
    return new Recovered(new StorageWrite.HardState(startMarker), null, List.of());
  }

  @Override
  public void step(Input input) {
    if (!rejoining && !current.halted().isEmpty() && input instanceof Input.Tick t) {
      if (haltSeenAt == Long.MIN_VALUE) {
        haltSeenAt = t.now();
        halts++;
      } else if (t.now() - haltSeenAt >= quietMillis) {
        replace();
      }
    }
    current.step(input);
    if (rejoining && !current.repairing()) {
      rejoining = false;
      if (!inDoubt && !current.orderInDoubt()) {
        repaired.add("halted after " + halt.substring(0, halt.indexOf(':'))
            + "; rejoined and took a live replica's state (paper §7.2)");
      }
      halt = "";
    }
  }

  /** The halted engine gives way to one that rejoins; what it had not handed out is kept. */
  private void replace() {
    halt = current.halted();
    inDoubt |= current.orderInDoubt();
    carried = merge(carried, current.ready());
    carriedBreaches.addAll(current.drainBrokenAssumptions());
    droppedBefore += current.dropped();
    current.dropsByReason().forEach((why, n) -> dropsBefore.merge(why, n, Long::sum));
    current = restarted.get();
    replaceInner(current);
    rejoining = true;
    haltSeenAt = Long.MIN_VALUE;
  }

  private static Ready merge(Ready a, Ready b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return new Ready(concat(a.writes(), b.writes()), concat(a.messages(), b.messages()),
        b.install() != null ? b.install() : a.install(), concat(a.stable(), b.stable()),
        concat(a.reads(), b.reads()), concat(a.redirects(), b.redirects()),
        concat(a.entryReads(), b.entryReads()));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Override
  public Ready ready() {
    Ready out = merge(carried, current.ready());
    carried = Ready.EMPTY;
    return out;
  }

  @Override
  public long dropped() {
    return droppedBefore + current.dropped();
  }

  @Override
  public Map<String, Long> dropsByReason() {
    if (dropsBefore.isEmpty()) {
      return current.dropsByReason();
    }
    Map<String, Long> all = new HashMap<>(dropsBefore);
    current.dropsByReason().forEach((why, n) -> all.merge(why, n, Long::sum));
    return all;
  }

  /** Halted, or rejoining after a halt (or a restart): it has no order to serve from. */
  @Override
  public boolean repairing() {
    return !current.halted().isEmpty() || current.repairing();
  }

  @Override
  public String repairReason() {
    if (!current.halted().isEmpty()) {
      return current.halted();
    }
    if (!current.repairing()) {
      return "";
    }
    return halt.isEmpty() ? current.repairReason() : current.repairReason() + ", after "
        + halt.substring(0, halt.indexOf(':'));
  }

  @Override
  public List<String> drainBrokenAssumptions() {
    if (carriedBreaches.isEmpty()) {
      return current.drainBrokenAssumptions();
    }
    List<String> out = new ArrayList<>(carriedBreaches);
    carriedBreaches.clear();
    out.addAll(current.drainBrokenAssumptions());
    return out;
  }

  @Override
  public List<String> drainRepairedAssumptions() {
    List<String> out = new ArrayList<>(repaired);
    repaired.clear();
    out.addAll(current.drainRepairedAssumptions());
    return out;
  }

  /** The engine now in place, for tests and for the simulator's checks. */
  public Engine engine() {
    return current;
  }

  /** How many times this replica halted because a peer suspected it. */
  public long halts() {
    return halts;
  }
}
