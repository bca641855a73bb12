package io.lockstep.order.agreement;

import io.lockstep.identity.Signer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Dolev–Strong dissemination in lockstep rounds (paper §3.1, Byzantine): in every round each
 * replica may transmit one value; the instance it starts in round s is decided by every correct
 * replica when round s+t+1 begins, with IC1 and IC2, because each instance is one
 * {@link DolevStrong} run whose t+1 rounds are the global rounds s to s+t.
 *
 * <p>Rounds are numbered by the caller from synchronized clocks (time is its business). The
 * synchrony this needs: a chain sent as a round begins at its sender reaches every correct
 * replica before that round ends there, so the round length must exceed the maximum delay plus
 * twice the clock skew. A chain that comes one round early (its sender's clock is ahead) is held
 * until the round begins here; one outside the instance's rounds is dropped with a reason.
 *
 * <p>Bounded against a flood: an instance exists only for a member transmitter and a round in
 * the t+2 rounds around the current one, so at most members × (t+2) are open at once.
 *
 * <p>Lateness (a round that begins more than one round after the last, because ticks came late
 * or the clock jumped) breaks the synchrony the rounds need once this replica takes part in an
 * instance: relays it owed went out late and chains it should have taken in time may be refused,
 * so it may decide differently from the others. That is reported ({@link #drainBrokenSynchrony}).
 * Before its rounds have begun (no instance ever opened here, no chain held) a skipped round
 * skips nothing: there was no relay to send, no chain to take, nothing to decide. So lateness
 * then is not condemned, but remembered: a chain of an instance that started in or before a
 * round skipped so, arriving afterwards, shows that rounds were under way after all, and is
 * reported as broken synchrony then. A process whose loop stalls while it starts (class loading,
 * JIT, a loaded machine) is thus not marked broken for good before it ever ordered anything.
 */
public final class SignedRounds {
  /** An instance's decision: the transmitter's value, or null for the default (none, or two). */
  public record Decided(long round, int transmitter, byte[] value) {}

  private static final byte[] NONE = new byte[0];

  private final Signer signer;
  private final List<Integer> members;
  private final int t;
  /** Open instances by start round, then transmitter. */
  private final TreeMap<Long, Map<Integer, DolevStrong>> open = new TreeMap<>();
  private final List<Early> early = new ArrayList<>();
  private final List<DolevStrong.Send> sends = new ArrayList<>();
  private final List<String> rejected = new ArrayList<>();
  private final List<String> brokenSynchrony = new ArrayList<>();
  private long round = Long.MIN_VALUE;
  /** Whether an instance ever opened here or a chain was held: this replica's rounds began. */
  private boolean begun;
  /** The last round skipped before the rounds began here (Long.MIN_VALUE: none). */
  private long skippedBeforeBegun = Long.MIN_VALUE;

  private record Early(int from, DolevStrong.Chain chain) {}

  /**
   * @param signer signs as this replica and verifies the others
   * @param members every replica's id
   * @param t the number of Byzantine replicas tolerated
   */
  public SignedRounds(Signer signer, List<Integer> members, int t) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.members = List.copyOf(members);
    if (t < 0 || !this.members.contains(signer.self())) {
      throw new IllegalArgumentException("t=" + t + " and self " + signer.self()
          + " must be a member of " + members);
    }
    this.t = t;
  }

  /** The current round (Long.MIN_VALUE before the first {@link #begin}). */
  public long round() {
    return round;
  }

  /**
   * Round {@code next} begins: every open instance ends its round (its relays go out), held
   * chains are taken in, and the instances started in round next-t-1 or before are decided.
   * {@code next} is normally the round after the current one; a larger jump (the caller missed
   * rounds: synchrony broke) ends at most t+1 rounds of each instance, so each still decides.
   *
   * @return the decisions, by start round then transmitter (the caller applies them in order)
   */
  public List<Decided> begin(long next) {
    if (round != Long.MIN_VALUE && next <= round) {
      throw new IllegalArgumentException("round " + next + " after " + round);
    }
    if (round != Long.MIN_VALUE && next > round + 1) {
      late(next);
    }
    long steps = round == Long.MIN_VALUE ? 0 : Math.min(next - round, t + 2);
    for (long k = 0; k < steps; k++) {
      for (Map<Integer, DolevStrong> byTransmitter : open.values()) {
        for (DolevStrong instance : byTransmitter.values()) {
          sends.addAll(instance.endRound());
        }
      }
    }
    round = next;
    List<Decided> decided = new ArrayList<>();
    while (!open.isEmpty() && open.firstKey() <= next - t - 1) {
      Map.Entry<Long, Map<Integer, DolevStrong>> done = open.pollFirstEntry();
      done.getValue().forEach((transmitter, instance) -> {
        rejected.addAll(instance.drainRejected());
        byte[] value = instance.decision();
        decided.add(new Decided(done.getKey(), transmitter, value.length == 0 ? null : value));
      });
    }
    List<Early> held = List.copyOf(early);
    early.clear();
    held.forEach(e -> receive(e.from(), e.chain()));
    return decided;
  }

  /** Round {@code next} follows {@link #round} with rounds skipped between them. */
  private void late(long next) {
    if (begun) {
      brokenSynchrony.add("replica " + signer.self() + ": round " + next + " follows round "
          + round + " (ticks came too late or the clock jumped: the synchrony signed agreement"
          + " needs broke)");
    } else {
      skippedBeforeBegun = next - 1;
    }
  }

  /** This replica transmits {@code value} (not empty) in the current round. */
  public void transmit(byte[] value) {
    if (value.length == 0) {
      throw new IllegalArgumentException("an empty value is the default: transmit nothing");
    }
    DolevStrong own = instance(round, signer.self());
    own.start(value);
    sends.addAll(own.firstRound());
  }

  /** A chain arrived from {@code from}. */
  public void receive(int from, DolevStrong.Chain chain) {
    long start = chain.instance();
    if (!members.contains(chain.transmitter()) || !members.contains(from)) {
      rejected.add("from " + from + ": transmitter " + chain.transmitter() + " or sender is not a"
          + " member");
      return;
    }
    if (start <= skippedBeforeBegun) {
      brokenSynchrony.add("replica " + signer.self() + ": a chain of round " + start + " (from "
          + from + ", transmitter " + chain.transmitter() + ") came after this replica skipped"
          + " rounds up to " + skippedBeforeBegun + " while it started: rounds were under way"
          + " then, so the synchrony signed agreement needs broke");
      skippedBeforeBegun = Long.MIN_VALUE; // said once
    }
    if (round != Long.MIN_VALUE && start == round + 1) {
      if (early.size() < members.size() * members.size()) {
        begun = true;
        early.add(new Early(from, chain));
      } else {
        rejected.add("from " + from + ": too many chains a round early");
      }
    } else if (round == Long.MIN_VALUE) {
      rejected.add("from " + from + ": chain of round " + start + " before this replica's first"
          + " round");
    } else if (start > round || start < round - t) {
      rejected.add("from " + from + ": chain of round " + start + " outside rounds "
          + (round - t) + ".." + round + " (late, or a clock beyond the skew bound)");
    } else {
      instance(start, chain.transmitter()).receive(from, chain);
    }
  }

  private DolevStrong instance(long start, int transmitter) {
    return open.computeIfAbsent(start, s -> new TreeMap<>()).computeIfAbsent(transmitter, tr -> {
      begun = true;
      DolevStrong made = new DolevStrong(signer, members, t, tr, start, NONE);
      for (long r = start; r < round; r++) {
        made.endRound(); // it began in round start: catch up to the current round
      }
      return made;
    });
  }

  /** The chains to send, forgotten here. */
  public List<DolevStrong.Send> drainSends() {
    List<DolevStrong.Send> out = List.copyOf(sends);
    sends.clear();
    return out;
  }

  /**
   * Each time the synchrony the rounds need broke here (see the class comment), forgotten here:
   * this replica may decide an instance differently from the others from then on.
   */
  public List<String> drainBrokenSynchrony() {
    List<String> out = List.copyOf(brokenSynchrony);
    brokenSynchrony.clear();
    return out;
  }

  /** Why each dropped chain was dropped (also the instances' own reasons), forgotten here. */
  public List<String> drainRejected() {
    for (Map<Integer, DolevStrong> byTransmitter : open.values()) {
      for (DolevStrong instance : byTransmitter.values()) {
        rejected.addAll(instance.drainRejected());
      }
    }
    List<String> out = List.copyOf(rejected);
    rejected.clear();
    return out;
  }
}
