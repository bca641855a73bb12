package io.lockstep.order.stamped;

import io.lockstep.order.Input;
import io.lockstep.order.Ready;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A rejoining replica's wait for a live replica's state (paper §7.2), the part every scheme's
 * joiner shares ({@link Integration} here, replica-uid's join): it asks one other replica per
 * failure timeout, in turn, so a failed donor costs one timeout; it answers requests and reads
 * "busy", since it has no order to put them in; and it notices when every other replica asks it
 * for state too, which means the order, kept in memory, is gone.
 */
public final class JoinWait {
  /** {@link #askAt}'s answer while the last ask is younger than the interval. */
  public static final int NOT_YET = -1;
  private final int self;
  private final List<Integer> members;
  private final long askEveryMillis;
  private final String waitingFor;
  private final Set<Integer> alsoJoining = new HashSet<>();
  private long lastAskAt = Long.MIN_VALUE;
  private int askTurn;

  /**
   * @param waitingFor what the replica waits for, in an operator's words
   */
  public JoinWait(int self, List<Integer> members, long askEveryMillis, String waitingFor) {
    this.self = self;
    this.members = List.copyOf(members);
    this.askEveryMillis = askEveryMillis;
    this.waitingFor = waitingFor;
  }

  /** The replica to ask for state at {@code now}, or {@link #NOT_YET}. */
  public int askAt(long now) {
    if (lastAskAt != Long.MIN_VALUE && now - lastAskAt < askEveryMillis) {
      return NOT_YET;
    }
    lastAskAt = now;
    List<Integer> others = new ArrayList<>(members);
    others.remove(Integer.valueOf(self));
    return others.get(askTurn++ % others.size());
  }

  /** Answers a request or a read "busy, try again" into {@code redirects}; ignores the rest. */
  public void refuseBusy(Input input, List<Ready.Redirect> redirects) {
    String why = "replica " + self + ": " + reason();
    if (input instanceof Input.Propose p) {
      redirects.add(new Ready.Redirect(p.request(), -1, self, why, true));
    } else if (input instanceof Input.Read r) {
      redirects.add(new Ready.Redirect(null, r.readId(), self, why, true));
    }
  }

  /** {@code replica} asked this one for state: it is rejoining too. */
  public void alsoJoining(int replica) {
    alsoJoining.add(replica);
  }

  /**
   * Why this replica cannot serve yet: waiting for a live replica's state, or, once every other
   * replica asked it for state too, that no replica has the order any more.
   */
  public String reason() {
    if (alsoJoining.size() == members.size() - 1) {
      return "every replica restarted and asks for the order's state, which lived in memory:"
          + " more than t replicas failed, so no replica can hand it over; start a new cluster"
          + " with empty data directories";
    }
    return waitingFor;
  }
}
