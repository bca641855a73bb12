package io.lockstep.order.clocks;

import io.lockstep.identity.Signer;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.order.agreement.ChainLies;
import io.lockstep.order.agreement.DolevStrong.Chain;
import io.lockstep.order.agreement.RoundMessage;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Ways a Byzantine replica lies in the Byzantine real-time order, each a
 * {@link MessageInterceptor} over the replica's real protocol: the replica runs the correct
 * protocol and the interceptor rewrites what it sends, signing with the replica's own key. For
 * the simulator and scripted tests; a cluster never runs one.
 */
public enum ClockLie {
  /** Sends nothing. */
  SILENT,
  /** Equivocates as transmitter: odd-numbered replicas get another validly signed batch. */
  EQUIVOCATE,
  /** Corrupts every signature it sends (its own and those it relays). */
  BAD_SIGNATURES,
  /**
   * Stamps its batches with extreme uids: by round, far in the future, far in the past, or the
   * last millisecond of the round (valid: the latest uid a correct replica could stamp).
   */
  EXTREME_UIDS,
  /**
   * Injects a forged request with each batch: the next request of the first client in it (same
   * client, next sequence number, same command), which that client never sent.
   */
  FORGED_REQUESTS,
  /**
   * Loses the requests clients handed it: its batches carry none, so a client that handed a
   * request to it alone must resend through another replica.
   */
  DROPS_HANDED,
  /**
   * Alters the requests clients handed it, keeping their signatures ({@link
   * ChainLies#altered}): correct replicas must refuse every one.
   */
  ALTERS_HANDED;

  /** A fresh interceptor for the replica whose key {@code signer} holds. */
  public MessageInterceptor interceptor(Signer signer, long roundMillis) {
    return (from, outbound, random) -> intercept(signer, roundMillis, outbound, random);
  }

  private List<Ready.Outbound> intercept(Signer signer, long roundMillis, Ready.Outbound outbound,
      RandomGenerator random) {
    if (this == SILENT) {
      return List.of();
    }
    if (!(outbound.message() instanceof RoundMessage m)) {
      return List.of(outbound);
    }
    Chain chain = m.chain();
    boolean own = ChainLies.own(signer, chain);
    Chain sent = switch (this) {
      case BAD_SIGNATURES -> ChainLies.corrupted(chain);
      case EQUIVOCATE -> own && outbound.to() % 2 == 1 ? resign(signer, chain,
          other(ClockBatch.decode(chain.value()))) : chain;
      case EXTREME_UIDS -> own ? resign(signer, chain, extreme(ClockBatch.decode(chain.value()),
          chain.instance(), roundMillis)) : chain;
      case FORGED_REQUESTS -> own ? resign(signer, chain, forged(ClockBatch.decode(
          chain.value()))) : chain;
      case DROPS_HANDED -> own ? resign(signer, chain, withRequests(ClockBatch.decode(
          chain.value()), ChainLies::withoutRequests)) : chain;
      case ALTERS_HANDED -> own ? resign(signer, chain, withRequests(ClockBatch.decode(
          chain.value()), ChainLies::altered)) : chain;
      default -> chain;
    };
    return List.of(new Ready.Outbound(outbound.to(), new RoundMessage(sent)));
  }

  /** Another batch: the same requests, stamped a millisecond later (or earlier). */
  private static ClockBatch other(ClockBatch b) {
    return new ClockBatch(b.stamp() % 2 == 0 ? b.stamp() + 1 : b.stamp() - 1, b.carried());
  }

  private static ClockBatch extreme(ClockBatch b, long round, long roundMillis) {
    long stamp = switch ((int) Math.floorMod(round, 3L)) {
      case 0 -> b.stamp() + 1_000_000_000L;
      case 1 -> b.stamp() - 1_000_000_000L;
      default -> (round + 1) * roundMillis - 1;
    };
    return new ClockBatch(stamp, b.carried());
  }

  private static ClockBatch forged(ClockBatch b) {
    return new ClockBatch(b.stamp(), ChainLies.withForgedRequest(b.carried()));
  }

  private static ClockBatch withRequests(ClockBatch b, UnaryOperator<CarriedRequests> lie) {
    return new ClockBatch(b.stamp(), lie.apply(b.carried()));
  }

  private static Chain resign(Signer signer, Chain chain, ClockBatch batch) {
    return ChainLies.resign(signer, chain, batch.encode());
  }
}
