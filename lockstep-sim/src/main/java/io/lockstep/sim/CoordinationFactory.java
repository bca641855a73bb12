package io.lockstep.sim;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolMessage;
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
   * request and read goes to every replica, and a result needs {@link #commandQuorum} identical
   * replies (reads: 2t+1 matching answers, else the read is resubmitted as an ordered request).
   */
  default FailureModel failureModel() {
    return FailureModel.FAIL_STOP;
  }

  /**
   * Whether the protocol assumes fail-stop replicas (the paper's §3.2 schemes). The simulator
   * accepts t+1 replicas instead of 2t+1, and never restarts a crashed replica unless the
   * protocol rejoins it ({@link #rejoins}), so at most t fail over the whole run.
   */
  default boolean failStop() {
    return false;
  }

  /**
   * Whether a crashed replica of a {@link #failStop()} protocol restarts and rejoins by the
   * protocol's integration (paper §7.2). The simulator then restarts it like any other, and
   * counts it as down until it has its state again ({@code Coordination.repairing()}), so at
   * most t replicas are down or rejoining at once. Default: no.
   */
  default boolean rejoins() {
    return false;
  }

  /**
   * How many identical replies from distinct replicas a client waits for before an ordered
   * request (a write, or a read resubmitted as a request) completes. Fail-stop: the first.
   * Byzantine: 2t+1, not t+1. Reads are answered at each replica's current state and decided on
   * 2t+1 matching answers; a request completed on 2t+1 replies was executed by at least t+1
   * correct replicas, and any 2t+1 replicas include one of them, so a later read's 2t+1 matching
   * answers include a correct replica that executed it (Castro and Liskov 2002, §5.1.3: the
   * read-only optimisation is linearizable when both kinds need 2t+1). With t+1, a faulty replica
   * that replied to the write and then answers reads with the value it overwrote, together with
   * t correct replicas that have not executed the write yet, makes a stale read.
   */
  default int commandQuorum(int t) {
    return failureModel() == FailureModel.BYZANTINE ? 2 * t + 1 : 1;
  }

  /**
   * Called as {@code message} from {@code from} reaches replica {@code to}, before the replica
   * steps it. The server verifies a message's signatures off the loop thread before its core
   * sees it (the codec's {@code signatures} into a {@code PreverifiedSigner}); a factory whose
   * protocol signs runs the same pre-check here, inline and in event order, so the simulator
   * takes the server's path and a seed still replays exactly. Default: nothing.
   */
  default void arriving(int to, int from, ProtocolMessage message) {}

  /**
   * Whether a replica with an interceptor still follows the agreed order, so the monitor checks
   * its applied entries, stamps and state digests like a correct replica's. True for PBFT, whose
   * liars lie only in what they send. False for the Byzantine replica-uid order: a transmitter
   * whose batch the others decided as the default (it equivocated, or its signatures were bad)
   * still holds its own batch, so its state may differ; correct replicas are checked as always.
   */
  default boolean liarsKeepTheOrder() {
    return true;
  }

  /**
   * The keys Byzantine clients sign with when each hands its request to ONE replica and resends
   * through the next one when no answer comes (paper §3.1's second transmitter mode), or null:
   * they send every request to every replica (the default).
   */
  default SimClientKeys clientsHandToOne() {
    return null;
  }
}
