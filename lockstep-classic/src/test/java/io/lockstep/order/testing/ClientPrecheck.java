package io.lockstep.order.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Coordination;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the replica server does for client signatures, in a scripted cluster: each replica's
 * order checks clients' signatures through a {@link PreverifiedSigner}'s {@link
 * PreverifiedSigner#clientKeys()}, and its "pool" (here: the caller's thread, before the step)
 * pre-verifies the claim of each signed request a client hands over and each claim the
 * protocol's codec names in an arriving message. It counts the real verifications per replica
 * and the distinct claims they were for.
 */
public final class ClientPrecheck {
  private final ClientPublicKeys keys;
  private final ProtocolCodec codec;
  private final Map<Integer, PreverifiedSigner> signers = new HashMap<>();
  private final Map<Integer, Integer> verifications = new HashMap<>();
  private final Map<Integer, Set<String>> distinct = new HashMap<>();

  public ClientPrecheck(ClientPublicKeys keys, ProtocolCodec codec) {
    this.keys = keys;
    this.codec = codec;
  }

  /** The client keys replica {@code id}'s order checks through. */
  public ClientPublicKeys keys(int id) {
    return signer(id).clientKeys();
  }

  /** Pre-verifies what every message delivered in {@code h} carries, as the peer port does. */
  public <C extends Coordination> void watch(Harness<C> h) {
    h.onArrival(f -> codec.signaturesCheckedLater(f.from(), f.message())
        .forEach(signer(f.to())::preverify));
  }

  /** The client hands {@code r}, signed, to replica {@code id}, which pre-verifies it. */
  public <C extends Coordination> void hand(Harness<C> h, int id, Request r) {
    signer(id).preverify(SignatureClaim.ofRequest(r, SignedClients.sign(r)));
    SignedClients.hand(h, id, r);
  }

  /**
   * The scenario both orders' tests run, replica 2 already lying by altering what it is handed
   * (the altered command and its replay to the next sequence number are refused, with {@code
   * refused}): a signed request handed to the liar, then resent through replica {@code next};
   * another handed to replicas 0 and 1. At both correct replicas the same requests are taken and
   * refused as without the pool, every check finds a verdict, and each distinct claim is
   * verified once though it arrives from its client, in the transmitter's round message, in
   * relays and through a second carrier.
   */
  public <C extends Coordination> void checkAgainstAnAlteringLiar(Harness<C> h, int next,
      String refused) {
    Request a = h.request("a");
    Request b = h.request("b");
    hand(h, 2, a);
    hand(h, 0, b);
    hand(h, 1, b);
    h.tickAll(400, 5);
    hand(h, next, a);
    h.tickAll(400, 5);
    for (int id : new int[] {0, 1}) {
      assertThat(h.requestsApplied(id)).as("replica " + id).containsExactlyInAnyOrder(a, b);
      assertThat(h.nodes.get(id).dropsByReason()).as("the altered command and the replay")
          .containsEntry(refused, 2L);
      assertThat(inline(id)).as("verified by the order itself at " + id).isZero();
      assertThat(fromMemory(id)).as("verdicts found at " + id).isPositive();
      assertThat(verifications(id)).as("each claim once at " + id)
          .isEqualTo(distinctClaims(id)).isGreaterThanOrEqualTo(4);
    }
    assertThat(h.applied.get(1)).isEqualTo(h.applied.get(0));
  }

  /** Real verifications at replica {@code id}, pre-check and loop together. */
  public int verifications(int id) {
    return verifications.getOrDefault(id, 0);
  }

  /** The distinct (client, bytes, signature) claims those verifications were for. */
  public int distinctClaims(int id) {
    return distinct.getOrDefault(id, Set.of()).size();
  }

  /** Checks the order at {@code id} made itself, on the loop, instead of finding a verdict. */
  public long inline(int id) {
    return signer(id).verifiedInline();
  }

  /** Checks the order at {@code id} answered from a pre-verified verdict. */
  public long fromMemory(int id) {
    return signer(id).answeredFromMemory();
  }

  private PreverifiedSigner signer(int id) {
    return signers.computeIfAbsent(id, k -> new PreverifiedSigner(Signer.none(k),
        (ClientId client, byte[] data, byte[] signature) -> {
          verifications.merge(k, 1, Integer::sum);
          distinct.computeIfAbsent(k, x -> new HashSet<>()).add(client + "|"
              + Base64.getEncoder().encodeToString(data) + "|"
              + Base64.getEncoder().encodeToString(signature));
          return keys.verify(client, data, signature);
        }, 1024));
  }
}
