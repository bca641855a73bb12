package io.lockstep.order.agreement;

import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which requests an order built on signed rounds takes as its client's own (paper §3.1, IC2 with
 * the client as the transmitter). A replica's signature proves only that the replica sent a
 * request, not that the client did: a lying replica could disseminate a request under any
 * client id. In Byzantine mode every client sends each request to every replica over its own
 * authenticated connection, and each correct replica disseminates what its clients handed it;
 * so a request is taken once the decided batches of t+1 distinct transmitters carried it (the
 * same bytes: client, sequence, command), because t+1 include a correct replica, which had it
 * from the client. A request first heard from fewer is held, and dropped once
 * {@code waitRounds} rounds have passed since its first copy was decided.
 *
 * <p>Fed only decided batches, in the order every correct replica applies them, it answers
 * identically at every correct replica: no replica takes a request another does not.
 */
public final class ClientCopies {
  /** What one copy did. */
  public enum Outcome {
    /** This copy was the (t+1)-th: the request is taken now, exactly once. */
    TAKEN,
    /** Fewer than t+1 transmitters carried it so far: held. */
    HELD,
    /** Taken already, or this transmitter's repeat: nothing to do. */
    REPEAT,
    /** Too many requests held at once: dropped (only faulty transmitters fill the table). */
    FULL
  }

  private final int needed;
  private final long waitRounds;
  private final int maxHeld;
  /** Requests held or recently taken, with the round of their first copy. */
  private final Map<Request, Copies> copies = new LinkedHashMap<>();
  private int held;

  private static final class Copies {
    final long firstRound;
    final Set<Integer> transmitters = new HashSet<>();
    boolean taken;

    Copies(long firstRound) {
      this.firstRound = firstRound;
    }
  }

  /**
   * @param t the number of Byzantine replicas tolerated (t+1 copies are needed)
   * @param waitRounds how long a request is held for more copies, and a taken one remembered
   * @param maxHeld most requests held at once (taken ones are remembered for {@code
   *     waitRounds} too, bounded by the batches' own limits: at most every transmitter's
   *     largest batch per round)
   */
  public ClientCopies(int t, long waitRounds, int maxHeld) {
    if (t < 0 || waitRounds < 1 || maxHeld < 1) {
      throw new IllegalArgumentException("t=" + t + ", waitRounds=" + waitRounds + ", maxHeld="
          + maxHeld);
    }
    this.needed = t + 1;
    this.waitRounds = waitRounds;
    this.maxHeld = maxHeld;
  }

  /** Transmitter {@code from}'s decided batch of round {@code round} carried {@code request}. */
  public Outcome copy(Request request, int from, long round) {
    Copies c = copies.get(request);
    if (c == null) {
      if (held >= maxHeld) {
        return Outcome.FULL;
      }
      c = new Copies(round);
      copies.put(request, c);
      held++;
    }
    if (c.taken || !c.transmitters.add(from)) {
      return Outcome.REPEAT;
    }
    if (c.transmitters.size() < needed) {
      return Outcome.HELD;
    }
    c.taken = true;
    held--;
    return Outcome.TAKEN;
  }

  /**
   * Round {@code round} began: forgets requests whose first copy was decided {@code waitRounds}
   * or more rounds ago.
   *
   * @return the ones never taken (fewer than t+1 transmitters carried them), for the caller to
   *     count and log
   */
  public List<Request> expire(long round) {
    List<Request> dropped = new ArrayList<>();
    for (Iterator<Map.Entry<Request, Copies>> it = copies.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Request, Copies> e = it.next();
      if (round - e.getValue().firstRound < waitRounds) {
        break; // entries are in the order of their first copy's round: the rest are younger
      }
      if (!e.getValue().taken) {
        dropped.add(e.getKey());
        held--;
      }
      it.remove();
    }
    return dropped;
  }

  /** How many requests are held waiting for copies. */
  public int held() {
    return held;
  }
}
