package io.lockstep.order.cuid;

import io.lockstep.identity.Signer;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.order.agreement.CarriedRequests;
import io.lockstep.order.agreement.ChainLies;
import io.lockstep.order.agreement.RoundMessage;
import io.lockstep.order.agreement.DolevStrong.Chain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Ways a Byzantine replica lies in the Byzantine replica-uid order, each a
 * {@link MessageInterceptor} over the replica's real protocol: the replica runs the correct
 * protocol and the interceptor rewrites what it sends, signing with the replica's own key (a
 * faulty replica holds its key; it cannot forge the others'). For the simulator and scripted
 * tests; a cluster never runs one.
 */
public enum UidLie {
  /** Sends nothing. */
  SILENT,
  /**
   * Equivocates as transmitter: its batch goes to even-numbered replicas, a different, also
   * validly signed batch to odd-numbered ones.
   */
  EQUIVOCATE,
  /** Corrupts every signature it sends (its own and those it relays). */
  BAD_SIGNATURES,
  /**
   * Proposes extreme candidates: every other candidate as far above the correct one as the
   * span allows (valid, it raises the uid), the rest at the largest counter there is.
   */
  EXTREME_CANDIDATES,
  /**
   * Reports every other replica timed out in every batch and proposes no candidates, so it is
   * timed out itself; harmless while exclusion needs t+1 reports, fatal with one.
   */
  FALSE_TIMEOUTS,
  /**
   * Injects a forged request with each batch: the next request of the first client in it (same
   * client, next sequence number, same command), which that client never sent.
   */
  FORGED_REQUESTS,
  /**
   * Loses the requests clients handed it: its batches carry none (candidates and reports go
   * on), so a client that handed a request to it alone must resend through another replica.
   */
  DROPS_HANDED,
  /**
   * Alters the requests clients handed it, keeping their signatures ({@link
   * ChainLies#altered}): correct replicas must refuse every one.
   */
  ALTERS_HANDED;

  /** A fresh interceptor for the replica whose key {@code signer} holds. */
  public MessageInterceptor interceptor(Signer signer, List<Integer> members, long span) {
    return (from, outbound, random) -> intercept(signer, members, span, outbound, random);
  }

  private List<Ready.Outbound> intercept(Signer signer, List<Integer> members, long span,
      Ready.Outbound outbound, RandomGenerator random) {
    if (this == SILENT || !(outbound.message() instanceof RoundMessage m)) {
      return this == SILENT ? List.of() : List.of(outbound);
    }
    Chain chain = m.chain();
    boolean own = ChainLies.own(signer, chain);
    Chain sent = switch (this) {
      case BAD_SIGNATURES -> ChainLies.corrupted(chain);
      case EQUIVOCATE -> own && outbound.to() % 2 == 1 ? resign(signer, chain,
          other(Batch.decode(chain.value()))) : chain;
      case EXTREME_CANDIDATES -> own ? resign(signer, chain, extreme(Batch.decode(
          chain.value()), span)) : chain;
      case FALSE_TIMEOUTS -> own ? resign(signer, chain, accusing(Batch.decode(chain.value()),
          signer.self(), members)) : chain;
      case FORGED_REQUESTS -> own ? resign(signer, chain, forged(Batch.decode(chain.value())))
          : chain;
      case DROPS_HANDED -> own ? resign(signer, chain, withRequests(Batch.decode(chain.value()),
          ChainLies::withoutRequests)) : chain;
      case ALTERS_HANDED -> own ? resign(signer, chain, withRequests(Batch.decode(chain.value()),
          ChainLies::altered)) : chain;
      default -> chain;
    };
    return List.of(new Ready.Outbound(outbound.to(), new RoundMessage(sent)));
  }

  /** A batch other than {@code b}: the same, reporting its own transmitter (an ignored entry). */
  private static Batch other(Batch b) {
    List<Integer> timeouts = new ArrayList<>(b.timeouts());
    timeouts.add(-1);
    return new Batch(b.carried(), b.candidates(), timeouts);
  }

  private static Batch extreme(Batch b, long span) {
    List<Batch.Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < b.candidates().size(); i++) {
      Batch.Candidate c = b.candidates().get(i);
      long counter = i % 2 == 0 ? c.counter() + span : Long.MAX_VALUE;
      candidates.add(new Batch.Candidate(c.origin(), c.seq(), counter));
    }
    return new Batch(b.carried(), candidates, b.timeouts());
  }

  private static Batch accusing(Batch b, int self, List<Integer> members) {
    List<Integer> everyoneElse = members.stream().filter(x -> x != self).toList();
    return new Batch(b.carried(), List.of(), everyoneElse);
  }

  private static Batch forged(Batch b) {
    return new Batch(ChainLies.withForgedRequest(b.carried()), b.candidates(), b.timeouts());
  }

  private static Batch withRequests(Batch b, UnaryOperator<CarriedRequests> lie) {
    return new Batch(lie.apply(b.carried()), b.candidates(), b.timeouts());
  }

  private static Chain resign(Signer signer, Chain chain, Batch batch) {
    return ChainLies.resign(signer, chain, batch.encode());
  }
}
