package io.lockstep.order.agreement;

import io.lockstep.identity.Signer;
import io.lockstep.order.agreement.DolevStrong.Chain;
import io.lockstep.order.agreement.DolevStrong.Link;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The chain rewrites a lying replica of an order built on {@link SignedRounds} uses, shared by
 * the orders' lie catalogues (simulator and scripted tests only; a cluster never runs one). A
 * faulty replica holds its own key, so it can sign anything as itself, never as another.
 */
public final class ChainLies {
  private ChainLies() {}

  /** {@code chain} with every signature's first byte flipped. */
  public static Chain corrupted(Chain chain) {
    List<Link> links = new ArrayList<>();
    for (Link l : chain.links()) {
      byte[] sig = l.signature().clone();
      sig[0] ^= 0x5A;
      links.add(new Link(l.signer(), sig));
    }
    return new Chain(chain.instance(), chain.transmitter(), chain.value(), links);
  }

  /** The first-round chain of {@code chain}'s instance carrying {@code value}, signed anew. */
  public static Chain resign(Signer signer, Chain chain, byte[] value) {
    byte[] signed = DolevStrong.signedBytes(chain.instance(), chain.transmitter(), value);
    return new Chain(chain.instance(), chain.transmitter(), value,
        List.of(new Link(signer.self(), signer.sign(signed))));
  }

  /** Whether {@code chain} is {@code signer}'s own first-round chain (it transmits it). */
  public static boolean own(Signer signer, Chain chain) {
    return chain.transmitter() == signer.self() && chain.links().size() == 1;
  }

  /**
   * {@code requests} followed by a forged one: the next request of the first client in them
   * (same client, next sequence number, same command), which that client never sent. Unchanged
   * when they hold only read barriers (nulls): there is no client to forge for.
   */
  public static List<Request> withForgedRequest(List<Request> requests) {
    List<Request> forged = new ArrayList<>(requests);
    for (Request r : requests) {
      if (r != null) {
        forged.add(new Request(r.client(), r.sequence() + 1, r.kind(), r.command(),
            r.copyFrom()));
        break;
      }
    }
    return forged;
  }

  /** {@code carried} with the forged request of {@link #withForgedRequest(List)}, unsigned. */
  public static CarriedRequests withForgedRequest(CarriedRequests carried) {
    List<Request> requests = withForgedRequest(carried.requests());
    List<byte[]> signatures = new ArrayList<>(carried.signatures());
    while (signatures.size() < requests.size()) {
      signatures.add(null);
    }
    return new CarriedRequests(requests, signatures);
  }

  /**
   * {@code carried} without the requests clients handed this replica (its read barriers stay):
   * a disseminating replica that loses what it is handed (paper §3.1, second mode).
   */
  public static CarriedRequests withoutRequests(CarriedRequests carried) {
    List<Request> barriers = carried.requests().stream().filter(r -> r == null).toList();
    return CarriedRequests.unsigned(new ArrayList<>(barriers));
  }

  /**
   * {@code carried} with every request altered under its client's signature: the command with a
   * byte appended, and the signature moved to the next sequence number as well (a replay). Both
   * must be refused by every correct replica, so nothing of the client's is taken from this
   * replica.
   */
  public static CarriedRequests altered(CarriedRequests carried) {
    List<Request> requests = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    for (int i = 0; i < carried.requests().size(); i++) {
      Request r = carried.requests().get(i);
      byte[] s = carried.signatures().get(i);
      if (r == null) {
        requests.add(null);
        signatures.add(null);
        continue;
      }
      byte[] command = Arrays.copyOf(r.command(), r.command().length + 1);
      requests.add(new Request(r.client(), r.sequence(), r.kind(), command, r.copyFrom()));
      signatures.add(s);
      requests.add(new Request(r.client(), r.sequence() + 1, r.kind(), r.command(),
          r.copyFrom()));
      signatures.add(s);
    }
    return new CarriedRequests(requests, signatures);
  }
}
