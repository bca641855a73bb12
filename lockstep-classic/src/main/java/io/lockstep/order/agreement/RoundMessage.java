package io.lockstep.order.agreement;

import io.lockstep.order.ProtocolMessage;
import io.lockstep.storage.codec.BinaryReader;
import io.lockstep.storage.codec.BinaryWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one message of an order built on {@link SignedRounds}: a signed chain of the Dolev–Strong
 * instance its transmitter started in round {@code chain.instance()}. Its value is the order's
 * own batch (the replica-uid order's or the real-time order's); the signatures cover it, so the
 * order decodes it only once decided.
 *
 * <p>Its wire form is shared by the codecs of the orders that use it, after their own version
 * and type bytes: {@code i64 instance, i32 transmitter, bytes value (u32 length), u8 n,
 * n × (i32 signer, bytes signature (u32 length))}.
 */
public record RoundMessage(DolevStrong.Chain chain) implements ProtocolMessage {
  /** Longest value a round message may carry (a batch of the most requests of 64 KiB each). */
  public static final int MAX_VALUE_BYTES = 64 << 20;
  private static final int MAX_SIGNATURE_BYTES = 256;

  public RoundMessage {
    Objects.requireNonNull(chain, "chain");
  }

  /** Writes the chain after the caller's header. */
  public void writeTo(BinaryWriter out) {
    out.writeLong(chain.instance()).writeInt(chain.transmitter()).writeBytes(chain.value())
        .writeByte(chain.links().size());
    for (DolevStrong.Link link : chain.links()) {
      out.writeInt(link.signer()).writeBytes(link.signature());
    }
  }

  /**
   * Reads a chain written by {@link #writeTo}, up to the end of {@code in}.
   *
   * @throws io.lockstep.storage.codec.CodecException on truncation, trailing bytes or lengths
   *     beyond the bounds
   */
  public static RoundMessage readFrom(BinaryReader in) {
    long instance = in.readLong("instance");
    int transmitter = in.readInt("transmitter");
    byte[] value = in.readBytes("value", MAX_VALUE_BYTES);
    int n = in.readByte("links");
    List<DolevStrong.Link> links = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      links.add(new DolevStrong.Link(in.readInt("signer"),
          in.readBytes("signature", MAX_SIGNATURE_BYTES)));
    }
    in.expectEnd("round message");
    return new RoundMessage(new DolevStrong.Chain(instance, transmitter, value, links));
  }
}
