package io.lockstep.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The first frame each side sends (kind {@link FrameKind#HELLO}): who it is and a fresh nonce.
 *
 * <pre>
 *   [role u8][auth u8 (0 none, 1 hmac)][nonce 32B][cluster u8-length + UTF-8][id u8-length + UTF-8]
 * </pre>
 *
 * <p>A hello is untrusted: {@link #decode} validates every field and reports what was wrong.
 *
 * @param role whether this is a replica-to-replica or a client connection
 * @param hmac whether the sender will prove knowledge of a secret and MAC every frame
 * @param nonce 32 fresh random bytes (what makes each handshake's proofs unique)
 * @param cluster the cluster name
 * @param id the sender's node id (decimal) or client id
 */
record Hello(Role role, boolean hmac, byte[] nonce, String cluster, String id) {
  static final int NONCE_BYTES = 32;
  static final int MAX_NAME_BYTES = 255;
  /** Largest possible encoded hello; the decoder's limit before authentication. */
  static final int MAX_BYTES = 2 + NONCE_BYTES + 2 * (1 + MAX_NAME_BYTES);

  Hello {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(nonce, "nonce");
    checkName("cluster", cluster);
    checkName("id", id);
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
    }
  }

  /** Validates a cluster name or id: 1 to 255 UTF-8 bytes, no control characters. */
  static void checkName(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          what + " '" + name + "' is longer than " + MAX_NAME_BYTES + " UTF-8 bytes");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(what + " must not contain control characters");
    }
  }

  byte[] encode() {
    ByteBuf out = Unpooled.buffer(MAX_BYTES);
    out.writeByte(role.code());
    out.writeByte(hmac ? 1 : 0);
    out.writeBytes(nonce);
    writeName(out, cluster);
    writeName(out, id);
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  private static void writeName(ByteBuf out, String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    out.writeByte(utf8.length);
    out.writeBytes(utf8);
  }

  /** Parses an untrusted hello; throws IllegalArgumentException saying what is malformed. */
  static Hello decode(byte[] bytes) {
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    if (in.readableBytes() < 2 + NONCE_BYTES + 2) {
      throw new IllegalArgumentException("hello is " + bytes.length + " bytes, too short");
    }
    Role role = Role.ofCode(in.readUnsignedByte());
    int auth = in.readUnsignedByte();
    if (auth > 1) {
      throw new IllegalArgumentException("unknown auth mode " + auth);
    }
    byte[] nonce = new byte[NONCE_BYTES];
    in.readBytes(nonce);
    String cluster = readName(in, "cluster");
    String id = readName(in, "id");
    if (in.isReadable()) {
      throw new IllegalArgumentException(in.readableBytes() + " trailing bytes after hello");
    }
    return new Hello(role, auth == 1, nonce, cluster, id);
  }

  private static String readName(ByteBuf in, String what) {
    if (!in.isReadable()) {
      throw new IllegalArgumentException("hello ends before its " + what);
    }
    int length = in.readUnsignedByte();
    if (in.readableBytes() < length) {
      throw new IllegalArgumentException("hello's " + what + " runs past its end");
    }
    byte[] utf8 = new byte[length];
    in.readBytes(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hello h && role == h.role && hmac == h.hmac
        && Arrays.equals(nonce, h.nonce) && cluster.equals(h.cluster) && id.equals(h.id);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, hmac, Arrays.hashCode(nonce), cluster, id);
  }

  @Override
  public String toString() {
    return "Hello[" + role + " " + (hmac ? "hmac" : "no-auth") + " cluster=" + cluster
        + " id=" + id + "]";
  }
}
