package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The second transmitter mode (paper §3.1): a replica disseminates the client's request by
 * Dolev–Strong agreement, the client listens as a receiver and resends through another replica
 * when the request was lost or altered.
 */
class TransmitterCheckTest {
  private static final List<Integer> REPLICAS = List.of(0, 1, 2);
  private static final int CLIENT = 100;
  private static final byte[] DEFAULT = new byte[0];

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Replica {@code transmitter} disseminates {@code value}; returns what the client decided. */
  private static byte[] disseminate(int transmitter, byte[] value) {
    List<Integer> all = List.of(0, 1, 2, CLIENT);
    Map<Integer, Signer> signers = Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(all, 3));
    java.util.Map<Integer, DolevStrong> nodes = new java.util.HashMap<>();
    for (int m : all) {
      nodes.put(m, new DolevStrong(signers.get(m), all, 1, transmitter, 1, DEFAULT));
    }
    List<DolevStrong.Send> inFlight = List.of();
    if (value != null) {
      nodes.get(transmitter).start(value);
      inFlight = nodes.get(transmitter).firstRound();
    }
    for (int round = 1; round <= 2; round++) {
      for (DolevStrong.Send send : inFlight) {
        nodes.get(send.to()).receive(-1, send.chain());
      }
      List<DolevStrong.Send> next = new java.util.ArrayList<>();
      for (int m : all) {
        next.addAll(nodes.get(m).endRound());
      }
      inFlight = next;
    }
    return nodes.get(CLIENT).decision();
  }

  @Test
  void requestDisseminatedUnalteredIsDelivered() {
    TransmitterCheck check = new TransmitterCheck(REPLICAS, DEFAULT);
    byte[] request = bytes("put x 1");
    assertThat(check.judge(request, disseminate(0, request)))
        .isEqualTo(TransmitterCheck.Verdict.DELIVERED);
  }

  @Test
  void alteredRequestIsResentThroughTheNextReplica() {
    TransmitterCheck check = new TransmitterCheck(REPLICAS, DEFAULT);
    byte[] request = bytes("put x 1");
    assertThat(check.judge(request, disseminate(0, bytes("put x 666"))))
        .isEqualTo(TransmitterCheck.Verdict.ALTERED);
    int next = check.next(0);
    assertThat(next).isEqualTo(1);
    assertThat(check.judge(request, disseminate(next, request)))
        .isEqualTo(TransmitterCheck.Verdict.DELIVERED);
  }

  @Test
  void requestASilentReplicaNeverSentIsLost() {
    TransmitterCheck check = new TransmitterCheck(REPLICAS, DEFAULT);
    assertThat(check.judge(bytes("put x 1"), disseminate(2, null)))
        .isEqualTo(TransmitterCheck.Verdict.LOST);
    assertThat(check.judge(bytes("put x 1"), null)).isEqualTo(TransmitterCheck.Verdict.LOST);
    assertThat(check.next(2)).isZero();
  }
}
