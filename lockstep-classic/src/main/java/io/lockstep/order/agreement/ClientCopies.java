package io.lockstep.order.agreement;

import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p>A copy that carries its client's own signature ({@link RequestSignature}) needs no other
 * carrier: the signature proves the client sent these exact bytes, so the first such copy is
 * taken at once. That is what lets a client hand a request to ONE replica (the paper's second
 * transmitter mode) instead of to all. A signed copy whose signature is malformed or does not
 * verify (forged, the command altered under it, another client's, another sequence number's)
 * is refused and counts for nothing: a correct replica forwards what its client signed, so
 * only a faulty replica or a faulty client makes one. Unsigned copies keep the t+1 rule.
 * The check reads only the decided bytes and the cluster's client keys, so it too answers
 * identically everywhere. A signed request replayed after it was forgotten is taken again and
 * ordered again; the executor's sessions (a sequence number runs once per client) make that
 * harmless, as they do a client's own resend.
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
    FULL,
    /** Signed, but not by its client over these bytes: dropped, see {@link #lastRefusal}. */
    REFUSED
  }

  private final int needed;
  private final long waitRounds;
  private final int maxHeld;
  private final ClientPublicKeys keys;
  /** Requests held or recently taken, with the round of their first copy. */
  private final Map<Request, Copies> copies = new LinkedHashMap<>();
  private int held;
  private String lastRefusal;

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
   * @param keys the clients' public keys, the same at every replica (the cluster file's). The
   *     replica server gives a {@link io.lockstep.identity.PreverifiedSigner#clientKeys()}
   *     view, which answers from verdicts its verification pool computed before the batch was
   *     decided (so Ed25519 does not run on the loop thread) and verifies in place when none is
   *     ready; the answer is the same either way, so the take rule stays deterministic.
   */
  public ClientCopies(int t, long waitRounds, int maxHeld, ClientPublicKeys keys) {
    if (t < 0 || waitRounds < 1 || maxHeld < 1) {
      throw new IllegalArgumentException("t=" + t + ", waitRounds=" + waitRounds + ", maxHeld="
          + maxHeld);
    }
    this.needed = t + 1;
    this.waitRounds = waitRounds;
    this.maxHeld = maxHeld;
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  /** Without client keys: every request needs t+1 carriers. */
  public ClientCopies(int t, long waitRounds, int maxHeld) {
    this(t, waitRounds, maxHeld, ClientPublicKeys.none());
  }

  /** Transmitter {@code from}'s decided batch of round {@code round} carried {@code request}. */
  public Outcome copy(Request request, int from, long round) {
    return copy(request, null, from, round);
  }

  /**
   * Transmitter {@code from}'s decided batch of round {@code round} carried {@code request} with
   * {@code signature}, its client's signature over it, or null (unsigned).
   */
  public Outcome copy(Request request, byte[] signature, int from, long round) {
    Copies c = copies.get(request);
    if (c != null && c.taken) {
      return Outcome.REPEAT; // before any verifying: repeats cost no signature check
    }
    if (signature != null) {
      return signed(request, signature, c, from, round);
    }
    if (c == null) {
      if (held >= maxHeld) {
        return Outcome.FULL;
      }
      c = new Copies(round);
      copies.put(request, c);
      held++;
    }
    if (!c.transmitters.add(from)) {
      return Outcome.REPEAT;
    }
    if (c.transmitters.size() < needed) {
      return Outcome.HELD;
    }
    c.taken = true;
    held--;
    return Outcome.TAKEN;
  }

  private Outcome signed(Request request, byte[] signature, Copies c, int from, long round) {
    String refusal = RequestSignature.refusal(request, signature, keys);
    if (refusal != null) {
      lastRefusal = refusal;
      return Outcome.REFUSED;
    }
    if (c == null) {
      c = new Copies(round); // remembered for waitRounds, so later copies are repeats
      copies.put(request, c);
    } else {
      held--; // unsigned copies held it so far
    }
    c.transmitters.add(from);
    c.taken = true;
    return Outcome.TAKEN;
  }

  /** Why the last {@link Outcome#REFUSED} copy was refused, for the caller to count and log. */
  public String lastRefusal() {
    return lastRefusal;
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
