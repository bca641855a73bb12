package io.lockstep.order.stamped;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Detects failed replicas by silence (paper §2, fail-stop: "others can detect that it failed").
 *
 * <p>Every replica broadcasts at least every null interval, so a replica heard from last more
 * than {@code timeoutMillis} ago has failed — provided delays are bounded: the timeout must
 * exceed the null interval plus the largest delay (the protocol's {@code check} refuses settings
 * that do not), which is the synchrony assumption this detector stands on. A suspicion is final
 * (a fail-stop replica does not come back).
 *
 * <p>A gap between two ticks longer than half the timeout is this replica's own stall (a pause,
 * a slow loop), not everyone's failure: the silence during it is forgiven.
 *
 * <p>A replica nobody has heard from yet is given the longer start timeout instead. Real
 * replica processes start one after another, and one that starts later than a failure timeout
 * after this one is not failed: declaring it failed would let this replica process requests
 * without it, and when it then speaks, the two would order differently (a real server test
 * found exactly that on a loaded machine). A replica starts being timed by the failure timeout
 * once this one hears from it, or hears that another replica did ({@link #started}: a broadcast
 * acknowledging one of its messages). The start timeout is an assumption too (replicas start
 * within it of each other), but an explicit one, sized for process starts rather than for
 * message delays.
 */
public final class FailureDetector {
  private final int self;
  private final long timeoutMillis;
  private final long startTimeoutMillis;
  private long firstTick = Long.MIN_VALUE;
  private final Map<Integer, Long> lastHeard = new HashMap<>();
  private final Set<Integer> suspected = new HashSet<>();
  private long lastTick = Long.MIN_VALUE;

  /**
   * @param self this replica
   * @param members every replica
   * @param timeoutMillis silence after which a replica is detected failed
   * @param startTimeoutMillis silence from this replica's first tick after which a replica
   *     nobody has heard from is detected failed
   */
  public FailureDetector(int self, List<Integer> members, long timeoutMillis,
      long startTimeoutMillis) {
    this.self = self;
    this.timeoutMillis = timeoutMillis;
    this.startTimeoutMillis = startTimeoutMillis;
    for (int m : members) {
      if (m != self) {
        lastHeard.put(m, null);
      }
    }
  }

  /**
   * Local monotonic time advanced to {@code now}.
   *
   * @return replicas newly detected failed
   */
  public Set<Integer> tick(long now) {
    if (firstTick == Long.MIN_VALUE) {
      firstTick = now;
    } else if (now - lastTick > timeoutMillis / 2) {
      long stall = now - lastTick;
      lastHeard.replaceAll((m, t) -> t == null ? null : t + stall); // our stall, not their silence
      firstTick += stall;
    }
    lastTick = Math.max(lastTick, now);
    Set<Integer> fresh = new HashSet<>();
    for (Map.Entry<Integer, Long> e : lastHeard.entrySet()) {
      Long heard = e.getValue();
      boolean silent = heard == null ? lastTick - firstTick > startTimeoutMillis
          : lastTick - heard > timeoutMillis;
      if (silent && !suspected.contains(e.getKey())) {
        suspected.add(e.getKey());
        fresh.add(e.getKey());
      }
    }
    return fresh;
  }

  /** A broadcast issued by {@code origin} was delivered. */
  public void heard(int origin) {
    if (origin != self && lastHeard.containsKey(origin) && lastTick != Long.MIN_VALUE) {
      lastHeard.put(origin, lastTick);
    }
  }

  /**
   * Another replica acknowledged a message of {@code member}, so it has started: time its
   * silence from now if this replica has not heard from it yet.
   */
  public void started(int member) {
    if (lastTick != Long.MIN_VALUE && lastHeard.containsKey(member)
        && lastHeard.get(member) == null) {
      lastHeard.put(member, lastTick);
    }
  }

  /**
   * {@code member} rejoins (paper §7.2): not suspected any more, and given the start timeout to
   * be heard from, since it first needs a live replica's state.
   */
  public void readmit(int member) {
    if (lastHeard.containsKey(member)) {
      suspected.remove(member);
      long base = lastTick == Long.MIN_VALUE ? 0 : lastTick;
      lastHeard.put(member, base + startTimeoutMillis - timeoutMillis);
    }
  }

  /** {@code member} is known failed already (a rejoining replica learns it from its donor). */
  public void suspect(int member) {
    if (lastHeard.containsKey(member)) {
      suspected.add(member);
    }
  }

  /** Replicas detected failed. */
  public Set<Integer> suspected() {
    return Set.copyOf(suspected);
  }

  /** Whether {@code replica} was detected failed. */
  public boolean suspects(int replica) {
    return suspected.contains(replica);
  }
}
