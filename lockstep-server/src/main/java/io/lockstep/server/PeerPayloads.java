package io.lockstep.server;

import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.server.wire.PeerEnvelope;

/**
 * The peer port's bytes for a protocol message, encoded once per message object. A broadcast
 * puts the same message into a Ready once per peer, one after the other (PBFT's pre-prepare,
 * prepare and commit go to every other replica; a pre-prepare carries its whole batch), and
 * encoding it again for every peer cost a replica as many encodings as it has peers. The bytes
 * are shared by every peer's send: the network only reads them (it frames and MACs a copy per
 * connection). Messages are immutable, so the same object always encodes to the same bytes.
 * Used by the loop thread only.
 */
final class PeerPayloads {
  private final ProtocolCodec codec;
  private ProtocolMessage last;
  private byte[] lastBytes;

  PeerPayloads(ProtocolCodec codec) {
    this.codec = codec;
  }

  /** The enveloped bytes of {@code message}; encoded only if it is not the previous one. */
  byte[] of(ProtocolMessage message) {
    if (message != last) {
      lastBytes = PeerEnvelope.protocol(codec.encode(message));
      last = message;
    }
    return lastBytes;
  }

  /** Forgets the last message (a batch was flushed: nothing keeps it alive past that). */
  void clear() {
    last = null;
    lastBytes = null;
  }
}
