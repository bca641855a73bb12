package io.lockstep.voter;

import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A client's (or output device's) voter for the replies to one request (paper §4, S13).
 *
 * <p>Fail-stop: the first reply is the output (a fail-stop replica never lies). Byzantine: the
 * output is decided once t+1 replies with the same output ({@link Reply#sameOutput}) arrived from
 * distinct replicas; at most t replicas are faulty, so at least one of them is correct. A
 * replica's repeated replies count once, and a replica that sends two different outputs counts
 * only for its first, so no single replica can vote twice.
 *
 * <p>One voter per request. Not thread-safe.
 */
public final class Voter {
  private final FailureModel model;
  private final int t;
  /** Replica id → the first reply it sent. */
  private final Map<Integer, Reply> firstByReplica = new HashMap<>();
  /** Distinct outputs seen, each with the replicas that sent it first. */
  private final List<Tally> tallies = new ArrayList<>();
  private Reply decision;

  /**
   * @param model the failure model the replicas are configured for
   * @param t the number of faulty replicas tolerated
   */
  public Voter(FailureModel model, int t) {
    this.model = Objects.requireNonNull(model, "model");
    if (t < 0) {
      throw new IllegalArgumentException("t must not be negative, was " + t);
    }
    this.t = t;
  }

  /**
   * Counts one reply.
   *
   * @return the decided reply once there is one (also on every later call), else empty
   */
  public Optional<Reply> offer(Reply reply) {
    Objects.requireNonNull(reply, "reply");
    if (decision != null) {
      return Optional.of(decision);
    }
    if (model == FailureModel.FAIL_STOP) {
      decision = reply;
      return Optional.of(decision);
    }
    if (firstByReplica.putIfAbsent(reply.replica(), reply) != null) {
      return Optional.empty();
    }
    Tally tally = tallyFor(reply);
    tally.votes++;
    if (tally.votes >= t + 1) {
      decision = tally.first;
    }
    return Optional.ofNullable(decision);
  }

  /** True once an output is decided. */
  public boolean decided() {
    return decision != null;
  }

  /** The decided reply, if any. */
  public Optional<Reply> decision() {
    return Optional.ofNullable(decision);
  }

  private Tally tallyFor(Reply reply) {
    for (Tally tally : tallies) {
      if (tally.first.sameOutput(reply)) {
        return tally;
      }
    }
    Tally tally = new Tally(reply);
    tallies.add(tally);
    return tally;
  }

  /** Replicas that agree on one output. */
  private static final class Tally {
    final Reply first;
    int votes;

    Tally(Reply first) {
      this.first = first;
    }
  }
}
