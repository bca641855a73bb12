package io.lockstep.order.cuid;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.order.agreement.DolevStrong;
import java.util.Objects;

/**
 * The one message of the Byzantine replica-uid order: a signed chain of the Dolev–Strong
 * instance its transmitter started in round {@code chain.instance()}, whose value is a
 * {@link Batch}.
 */
public record RoundMessage(DolevStrong.Chain chain) implements ProtocolMessage {
  public RoundMessage {
    Objects.requireNonNull(chain, "chain");
  }
}
