package io.lockstep.sim;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Recovered;
import java.util.List;

/**
 * Builds the coordination protocol of one replica, at first start and at every restart; this is
 * how the simulator runs any protocol (Raft, later PBFT and the paper's schemes, and deliberately
 * broken variants in tests).
 */
@FunctionalInterface
public interface CoordinationFactory {
  /**
   * @param id the replica's id
   * @param members every replica's id, in order
   * @param recovered what the replica's stable storage holds ({@link Recovered#EMPTY} at first)
   * @param seed a seed for the protocol's randomness, different for every (re)start
   */
  Coordination create(int id, List<Integer> members, Recovered recovered, long seed);

  /**
   * The failure model the protocol tolerates. Byzantine protocols get Byzantine clients: each
   * request and read goes to every replica, and a result needs t+1 identical replies (reads:
   * 2t+1 matching answers, else the read is resubmitted as an ordered request).
   */
  default FailureModel failureModel() {
    return FailureModel.FAIL_STOP;
  }

  /**
   * Whether the protocol assumes fail-stop replicas that never come back (the paper's §3.2
   * schemes without the §7.2 integration protocol). The simulator then never restarts a crashed
   * replica, so at most t fail over the whole run, and it accepts t+1 replicas instead of 2t+1.
   */
  default boolean failStop() {
    return false;
  }
}
