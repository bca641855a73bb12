package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.server.wire.PeerEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A broadcast's message is encoded once for all its peers, and only that message's bytes. */
class PeerPayloadsTest {
  private record Note(String text) implements ProtocolMessage {}

  /** Encodes a {@link Note} as its text and remembers every message it encoded. */
  private static final class CountingCodec implements ProtocolCodec {
    final List<ProtocolMessage> encoded = new ArrayList<>();

    @Override
    public byte[] encode(ProtocolMessage message) {
      encoded.add(message);
      return bytes(((Note) message).text());
    }

    @Override
    public ProtocolMessage decode(byte[] payload) {
      return new Note(new String(payload, StandardCharsets.UTF_8));
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theSameMessageForThreePeersIsEncodedOnce() {
    CountingCodec codec = new CountingCodec();
    PeerPayloads payloads = new PeerPayloads(codec);
    Note prePrepare = new Note("pre-prepare");
    byte[] first = payloads.of(prePrepare);
    byte[] second = payloads.of(prePrepare);
    byte[] third = payloads.of(prePrepare);
    assertThat(codec.encoded).containsExactly(prePrepare);
    assertThat(second).isSameAs(first);
    assertThat(third).isSameAs(first);
    assertThat(first).isEqualTo(PeerEnvelope.protocol(bytes("pre-prepare")));
  }

  @Test
  void anotherMessageGetsItsOwnBytesAndAClearedMemoEncodesAgain() {
    CountingCodec codec = new CountingCodec();
    PeerPayloads payloads = new PeerPayloads(codec);
    Note a = new Note("append to 2");
    Note b = new Note("append to 3");
    assertThat(payloads.of(a)).isEqualTo(PeerEnvelope.protocol(bytes("append to 2")));
    assertThat(payloads.of(b)).isEqualTo(PeerEnvelope.protocol(bytes("append to 3")));
    payloads.clear();
    payloads.of(b);
    assertThat(codec.encoded).containsExactly(a, b, b);
  }
}
