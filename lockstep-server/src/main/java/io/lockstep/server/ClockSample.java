package io.lockstep.server;

import java.util.Optional;

/**
 * What one clock probe and its echo say about a peer, as bounds that hold whatever the two
 * one-way delays were. The probe left at {@code sentAt} on this replica's wall clock, reached the
 * peer at {@code peerReceivedAt} on the peer's clock, and its echo came back at {@code arrivedAt}
 * on this replica's clock. With θ the peer's clock minus this one's, d1 and d2 the two one-way
 * delays: {@code peerReceivedAt = sentAt + d1 + θ} and {@code arrivedAt = peerReceivedAt − θ +
 * d2}, so the round trip is d1 + d2 and, as both delays are at least 0,
 * {@code peerReceivedAt − arrivedAt ≤ θ ≤ peerReceivedAt − sentAt}. No symmetric-delay
 * assumption (as NTP makes) is needed for these bounds, so a report built on them is never a
 * false alarm beyond the clocks' 1 ms resolution.
 *
 * @param roundTripMillis d1 + d2, the time from sending the probe to receiving its echo
 * @param skewAtLeastMillis the least |θ| consistent with the readings (0 if they allow equal
 *     clocks)
 * @param towardPeerMillis {@code peerReceivedAt − sentAt} = d1 + θ
 * @param fromPeerMillis {@code arrivedAt − peerReceivedAt} = d2 − θ
 */
record ClockSample(long roundTripMillis, long skewAtLeastMillis, long towardPeerMillis,
    long fromPeerMillis) {

  /** The sample, or empty if the readings are impossible (this clock stepped back meanwhile). */
  static Optional<ClockSample> of(long sentAt, long peerReceivedAt, long arrivedAt) {
    long roundTrip = arrivedAt - sentAt;
    if (roundTrip < 0) {
      return Optional.empty();
    }
    long low = peerReceivedAt - arrivedAt;
    long high = peerReceivedAt - sentAt;
    long skew = low > 0 ? low : high < 0 ? -high : 0;
    return Optional.of(new ClockSample(roundTrip, skew, high, arrivedAt - peerReceivedAt));
  }

  /**
   * The least that the slower of the two one-way delays must have taken. Half the round trip
   * always; and if clocks differ by at most {@code maxSkew} (when the protocol assumes so), each
   * one-way reading minus that skew.
   */
  long delayAtLeast(Long maxSkew) {
    long least = roundTripMillis / 2;
    if (maxSkew != null) {
      least = Math.max(least, Math.max(towardPeerMillis, fromPeerMillis) - maxSkew);
    }
    return least;
  }
}
