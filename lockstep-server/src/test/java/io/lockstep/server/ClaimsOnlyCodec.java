package io.lockstep.server;

import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolMessage;

/**
 * A test codec that only names claims: the signature intake gets messages already decoded and
 * asks its codec for their claims, never to encode or decode, so those throw.
 */
abstract class ClaimsOnlyCodec implements ProtocolCodec {
  @Override
  public byte[] encode(ProtocolMessage message) {
    throw new UnsupportedOperationException("the intake never encodes (a test codec)");
  }

  @Override
  public ProtocolMessage decode(byte[] payload) {
    throw new UnsupportedOperationException("the intake never decodes (a test codec)");
  }
}
