package io.lockstep.order.agreement;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The client's side of the second transmitter mode (paper §3.1): the client hands its request to
 * one replica, which disseminates it; the client is also a receiver of that broadcast, so it can
 * see whether the request went out unaltered and, if not, resend it through another replica.
 *
 * <p>A faulty disseminating replica can lose the request (the broadcast decides the default, or
 * nothing by the deadline) or alter it (the broadcast decides another value). Either way the
 * client moves on to the next replica in a fixed rotation, so with at most t faulty replicas its
 * (t+1)-th attempt at the latest goes through a correct one.
 */
public final class TransmitterCheck {
  /** What the client concluded from the value the broadcast decided. */
  public enum Verdict {
    /** The broadcast carried the request unaltered: nothing to do. */
    DELIVERED,
    /** The broadcast carried nothing (default value, or no decision by the deadline). */
    LOST,
    /** The broadcast carried something other than the request. */
    ALTERED
  }

  private final List<Integer> replicas;
  private final byte[] defaultValue;

  /**
   * @param replicas the replicas the client may hand requests to, in its rotation order
   * @param defaultValue the value the broadcast decides when the transmitter sent nothing usable
   */
  public TransmitterCheck(List<Integer> replicas, byte[] defaultValue) {
    this.replicas = List.copyOf(replicas);
    if (this.replicas.isEmpty()) {
      throw new IllegalArgumentException("no replicas to hand requests to");
    }
    this.defaultValue = defaultValue.clone();
  }

  /**
   * Judges one dissemination.
   *
   * @param sent the request as the client sent it
   * @param decided the value the client decided as a receiver of the broadcast, or null if the
   *     broadcast did not decide by its deadline
   */
  public Verdict judge(byte[] sent, byte[] decided) {
    Objects.requireNonNull(sent, "sent");
    if (decided == null || Arrays.equals(decided, defaultValue)) {
      return Verdict.LOST;
    }
    return Arrays.equals(sent, decided) ? Verdict.DELIVERED : Verdict.ALTERED;
  }

  /** The replica to resend through after {@code transmitter} lost or altered the request. */
  public int next(int transmitter) {
    int at = replicas.indexOf(transmitter);
    if (at < 0) {
      throw new IllegalArgumentException("replica " + transmitter + " is not in " + replicas);
    }
    return replicas.get((at + 1) % replicas.size());
  }
}
