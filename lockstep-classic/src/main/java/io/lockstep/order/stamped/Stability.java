package io.lockstep.order.stamped;

import io.lockstep.order.stamped.StampedMessage.Broadcast;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stability tests (paper §3.2): a request is stable at a replica once no request with a
 * lower uid from a correct process can still arrive there.
 *
 * <p>Waiting test (logical clocks §3.2.1; test II of §3.2.2): each replica's broadcasts arrive in
 * the order it issued them with increasing uids (FIFO, LC1), so once a broadcast with a larger
 * uid has arrived from replica m, nothing below it can still come from m. A replica detected
 * failed is not waited for — safe because it is declared failed at the order level only after
 * every live replica's report that it holds nothing of it this replica lacks (the failure
 * detection assumption: p learns that q failed only after p received q's last message).
 *
 * <p>Besides, so that a request processed anywhere is never lost with its origin (fail-stop
 * replicas' replies count, §4), a request is processed only after every live replica has
 * acknowledged receiving it; the acknowledgements ride on the broadcasts the test waits for
 * anyway.
 *
 * <p>Test I (§3.2.2): stable once the local clock is past uid + Δ. Combined: either. A replica
 * that rejoined does not trust test I for requests issued before it had its state (see
 * {@link Integration}): for those it uses the waiting test, whatever the scheme.
 */
final class Stability {
  private Stability() {}

  /**
   * Whether {@code entry} is stable at {@code self}.
   *
   * @param latest the latest broadcast delivered from each origin
   * @param failed replicas declared failed at the order level
   * @param index each member's index in the acknowledgement vectors
   * @param timeTestTrusted whether test I may decide this entry here
   */
  static boolean stable(Broadcast entry, int self, List<Integer> members,
      Map<Integer, Broadcast> latest, Set<Integer> failed, Map<Integer, Integer> index,
      UidScheme scheme, long wallClock, boolean timeTestTrusted) {
    if (timeTestTrusted && scheme.stableByTime(entry.uidTime(), wallClock)) {
      return true;
    }
    if (!scheme.usesWaitTest() && timeTestTrusted) {
      return false;
    }
    Uid uid = entry.uid();
    int originIndex = index.get(entry.origin());
    for (int m : members) {
      if (m == self || failed.contains(m)) {
        continue;
      }
      Broadcast last = latest.get(m);
      if (last == null || !uid.before(last.uid())) {
        return false;
      }
      if (m != entry.origin() && last.ack(originIndex) < entry.seq()) {
        return false;
      }
    }
    return true;
  }
}
