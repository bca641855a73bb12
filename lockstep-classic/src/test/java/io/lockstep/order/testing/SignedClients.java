package io.lockstep.order.testing;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Coordination;
import io.lockstep.order.Input;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;

/**
 * Clients "c" and "d" of the scripted tests with Ed25519 keys, and the cluster's view of their
 * public keys: a client that signs its requests can hand each to ONE replica.
 */
public final class SignedClients {
  private static final Map<Integer, KeyPair> PAIRS =
      Ed25519Signer.seededKeyPairs(List.of(0, 1), 11);
  /** The keys every replica holds for c and d. */
  public static final ClientPublicKeys KEYS = ClientPublicKeys.ed25519(Map.of(
      ClientId.of("c"), PAIRS.get(0).getPublic(), ClientId.of("d"), PAIRS.get(1).getPublic()));

  private SignedClients() {}

  /** {@code r}'s client's signature over it (c's or d's key). */
  public static byte[] sign(Request r) {
    int pair = r.client().value().equals("c") ? 0 : 1;
    return RequestSignature.sign(r, PAIRS.get(pair).getPrivate());
  }

  /** The client hands {@code r}, signed, to replica {@code id} alone. */
  public static <C extends Coordination> void hand(Harness<C> h, int id, Request r) {
    h.step(id, new Input.Propose(r, sign(r)));
  }
}
