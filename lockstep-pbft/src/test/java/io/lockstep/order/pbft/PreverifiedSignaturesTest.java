package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import io.lockstep.order.Input;
import io.lockstep.order.pbft.wire.PbftCodec;
import io.lockstep.request.Request;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seam that lets the runtime verify signatures off the loop thread: the codec names every
 * signature the core checks ({@link Signing#claims}), the runtime verifies them into a {@code
 * PreverifiedSigner}, and the core then finds each verdict instead of running Ed25519.
 */
class PreverifiedSignaturesTest {
  @Test
  void afterThePrecheckTheCoreVerifiesNoSignatureItselfThroughCheckpointsAndAViewChange() {
    Net net = new Net(c -> c.withLog(1, 2, 4).withRequestTimeout(100), true);
    for (int i = 0; i < 5; i++) {
      net.send(net.request());
      net.run();
    }
    net.filter = m -> m.from() == 0 ? null : m; // the primary falls silent: a view change
    Request late = net.request();
    net.send(late);
    net.runFor(2_000, 20);
    for (int i = 1; i < 4; i++) {
      assertThat(net.nodes[i].view()).as("replica " + i).isEqualTo(1);
      assertThat(net.requests(i)).as("replica " + i).contains(late);
      assertThat(net.nodes[i].stableSeq()).as("replica " + i).isGreaterThanOrEqualTo(4);
      assertThat(net.preverified[i].answeredFromMemory()).as("replica " + i).isPositive();
      assertThat(net.preverified[i].verifiedInline()).as("replica " + i).isZero();
    }
  }

  @Test
  void theClaimsAreExactlyTheSignaturesTheCoreChecksForAViewChangeAndANewView() {
    Net net = new Net(c -> c.withLog(1, 2, 4).withRequestTimeout(100));
    for (int i = 0; i < 3; i++) {
      net.send(net.request());
      net.run();
    }
    List<Net.Msg> signed = new ArrayList<>();
    net.filter = m -> {
      if (m.from() == 0) {
        return null;
      }
      if (m.message() instanceof PbftMessage.ViewChange
          || m.message() instanceof PbftMessage.NewView) {
        signed.add(m);
      }
      return m;
    };
    net.send(net.request());
    net.runFor(2_000, 20);
    assertThat(signed).anyMatch(m -> m.message() instanceof PbftMessage.NewView nv
        && !nv.proofs().isEmpty() && !nv.proofs().get(0).stableProof().isEmpty());
    for (Net.Msg m : signed) {
      // A fresh replica with the receiver's settings: what it verifies on stepping m.
      Recording recording = new Recording(net.nodes[m.to()].config.signer());
      Pbft fresh = new Pbft(net.nodes[m.to()].config.withSigner(recording));
      fresh.step(new Input.Receive(m.from(), m.message()));
      Set<ByteBuffer> claimed = new HashSet<>();
      for (SignatureClaim claim : PbftCodec.INSTANCE.signatures(m.from(), m.message())) {
        claimed.add(key(claim.signer(), claim.data(), claim.signature()));
      }
      assertThat(claimed).as(m.message().getClass().getSimpleName()).containsAll(recording.seen);
    }
  }

  @Test
  void aForgedCheckpointVoteIsDroppedWithItsReasonOnTheVerdictFromThePrecheck() {
    Net net = new Net(c -> c.withLog(1, 2, 4), true);
    PbftMessage.CheckpointVote honest = Signing.signCheckpoint(net.nodes[1].config.signer(), 2,
        Digest.of(new byte[] {1}), 5);
    byte[] sig = honest.signature();
    sig[0] ^= 1;
    PbftMessage.CheckpointVote forged = new PbftMessage.CheckpointVote(2, honest.state(), 5, 1,
        sig);
    net.deliver(new Net.Msg(1, 2, forged));
    assertThat(net.nodes[2].dropsByReason()).containsEntry("checkpoint vote with a bad signature",
        1L);
    assertThat(net.preverified[2].preverified()).isEqualTo(1);
    assertThat(net.preverified[2].answeredFromMemory()).isEqualTo(1);
    assertThat(net.preverified[2].verifiedInline()).isZero();
    long dropped = net.nodes[2].dropped();
    net.deliver(new Net.Msg(1, 2, honest)); // the honest vote is still taken afterwards
    assertThat(net.nodes[2].dropped()).isEqualTo(dropped);
    assertThat(net.preverified[2].answeredFromMemory()).isEqualTo(2);
  }

  @Test
  void unsignedMessagesMakeNoClaims() {
    Net net = new Net(c -> c);
    Request request = net.request();
    net.send(request);
    assertThat(PbftCodec.INSTANCE.signatures(1, new PbftMessage.Prepare(0, 1,
        Digest.of(new byte[0])))).isEmpty();
    assertThat(PbftCodec.INSTANCE.signatures(1, new PbftMessage.Forward(request))).isEmpty();
  }

  private static ByteBuffer key(int node, byte[] data, byte[] signature) {
    return ByteBuffer.allocate(8 + data.length + signature.length).putInt(node)
        .putInt(data.length).put(data).put(signature).flip();
  }

  /** Records every (signer, data, signature) the core verifies. */
  private static final class Recording implements Signer {
    final Signer inner;
    final Set<ByteBuffer> seen = new HashSet<>();

    Recording(Signer inner) {
      this.inner = inner;
    }

    @Override
    public int self() {
      return inner.self();
    }

    @Override
    public byte[] sign(byte[] data) {
      return inner.sign(data);
    }

    @Override
    public boolean verify(int node, byte[] data, byte[] signature) {
      seen.add(key(node, data, signature));
      return inner.verify(node, data, signature);
    }
  }
}
