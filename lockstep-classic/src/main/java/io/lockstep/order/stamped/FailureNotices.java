package io.lockstep.order.stamped;

import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * When a suspected replica may be declared failed so that the failure detection assumption of
 * §3.2.1 holds (p learns that q failed only after p received q's last message): once every other
 * live replica's latest broadcast says it suspects q too and holds nothing of q that this replica
 * lacks. Meanwhile every replica relays what it holds of q ({@code ReliableBroadcast.failed}),
 * so by then everything q ever sent to anyone alive is here. Shared by the ordering schemes.
 */
public final class FailureNotices {
  private FailureNotices() {}

  /** What a replica's latest broadcast reports. */
  public interface Report {
    /** Bit i set: the sender suspects member i. */
    long suspects();

    /** How many broadcasts of member {@code index} the sender had received. */
    long ack(int index);
  }

  /**
   * Whether {@code q} may be declared failed at {@code self}.
   *
   * @param latest each replica's latest delivered broadcast, or null
   * @param receivedThroughQ how many of q's broadcasts {@code self} has received
   */
  public static boolean declarable(int q, int self, List<Integer> members,
      Map<Integer, Integer> index, FailureDetector detector, IntFunction<? extends Report> latest,
      long receivedThroughQ) {
    long bit = 1L << index.get(q);
    for (int m : members) {
      if (m == self || m == q || detector.suspects(m)) {
        continue;
      }
      Report last = latest.apply(m);
      if (last == null || (last.suspects() & bit) == 0
          || last.ack(index.get(q)) > receivedThroughQ) {
        return false;
      }
    }
    return true;
  }

  /** The suspect set as a bit mask by member index. */
  public static long mask(FailureDetector detector, Map<Integer, Integer> index) {
    long mask = 0;
    for (int m : detector.suspected()) {
      mask |= 1L << index.get(m);
    }
    return mask;
  }
}
