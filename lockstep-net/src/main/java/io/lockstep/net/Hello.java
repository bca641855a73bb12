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
 *   [role u8][auth u8][nonce 32B][cluster u8-length + UTF-8][id u8-length + UTF-8]
 *   [ephemeral u8-length + X.509 X25519 public key]   only when auth has {@link #AUTH_KEYS}
 * </pre>
 *
 * <p>{@code auth} is a set of modes: {@link #AUTH_SECRET} (prove a shared secret by HMAC) and
 * {@link #AUTH_KEYS} (prove an Ed25519 key by signature, agree on frame keys by ephemeral
 * X25519); 0 is no authentication. The dialer names exactly the one mode it uses; the acceptor
 * names every mode it accepts, so one client port serves clients with secrets and clients with
 * keys. Both hellos are in the transcript each side proves, so nobody in between can change the
 * choice.
 *
 * <p>A hello is untrusted: {@link #decode} validates every field and reports what was wrong.
 *
 * @param role whether this is a replica-to-replica or a client connection
 * @param auth the modes the sender uses (dialer: one) or accepts (acceptor)
 * @param nonce 32 fresh random bytes (what makes each handshake's proofs unique)
 * @param cluster the cluster name
 * @param id the sender's node id (decimal) or client id
 * @param ephemeral the sender's ephemeral X25519 public key (X.509) with {@link #AUTH_KEYS},
 *     else empty
 */
record Hello(Role role, int auth, byte[] nonce, String cluster, String id, byte[] ephemeral) {
  /** No authentication: ids are only declared, frames carry no MAC. */
  static final int AUTH_NONE = 0;
  /** Prove a shared secret (HMAC-SHA256). */
  static final int AUTH_SECRET = 1;
  /** Prove an Ed25519 key; pairwise frame keys from ephemeral X25519. */
  static final int AUTH_KEYS = 2;
  /**
   * Acceptors only: unauthenticated dialers are accepted too (a client port without client
   * secrets that also serves keyed clients).
   */
  static final int AUTH_OPEN = 4;
  private static final int ALL_MODES = AUTH_SECRET | AUTH_KEYS | AUTH_OPEN;
  static final int NONCE_BYTES = 32;
  static final int MAX_NAME_BYTES = 255;
  /** Longest ephemeral key accepted (X25519's X.509 encoding is 44 bytes). */
  static final int MAX_EPHEMERAL_BYTES = 64;
  /** Largest possible encoded hello; the decoder's limit before authentication. */
  static final int MAX_BYTES = 2 + NONCE_BYTES + 2 * (1 + MAX_NAME_BYTES) + 1 + MAX_EPHEMERAL_BYTES;

  Hello {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(ephemeral, "ephemeral");
    checkName("cluster", cluster);
    checkName("id", id);
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("nonce must be " + NONCE_BYTES + " bytes");
    }
    if (auth < 0 || auth > ALL_MODES) {
      throw new IllegalArgumentException("unknown auth modes " + auth);
    }
    boolean keys = (auth & AUTH_KEYS) != 0;
    if (keys != (ephemeral.length > 0) || ephemeral.length > MAX_EPHEMERAL_BYTES) {
      throw new IllegalArgumentException("an ephemeral key of 1-" + MAX_EPHEMERAL_BYTES
          + " bytes comes exactly with key authentication (auth " + auth + ", "
          + ephemeral.length + " bytes)");
    }
  }

  /** A hello without key authentication: a secret ({@code hmac}) or none. */
  Hello(Role role, boolean hmac, byte[] nonce, String cluster, String id) {
    this(role, hmac ? AUTH_SECRET : AUTH_NONE, nonce, cluster, id, new byte[0]);
  }

  /** Whether the sender uses or accepts any authentication. */
  boolean authenticated() {
    return auth != AUTH_NONE;
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
    out.writeByte(auth);
    out.writeBytes(nonce);
    writeName(out, cluster);
    writeName(out, id);
    if (ephemeral.length > 0) {
      out.writeByte(ephemeral.length);
      out.writeBytes(ephemeral);
    }
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
    if (auth > ALL_MODES) {
      throw new IllegalArgumentException("unknown auth modes " + auth);
    }
    byte[] nonce = new byte[NONCE_BYTES];
    in.readBytes(nonce);
    String cluster = readName(in, "cluster");
    String id = readName(in, "id");
    byte[] ephemeral = (auth & AUTH_KEYS) == 0 ? new byte[0]
        : readField(in, "ephemeral key");
    if (in.isReadable()) {
      throw new IllegalArgumentException(in.readableBytes() + " trailing bytes after hello");
    }
    return new Hello(role, auth, nonce, cluster, id, ephemeral);
  }

  private static String readName(ByteBuf in, String what) {
    return new String(readField(in, what), StandardCharsets.UTF_8);
  }

  private static byte[] readField(ByteBuf in, String what) {
    if (!in.isReadable()) {
      throw new IllegalArgumentException("hello ends before its " + what);
    }
    int length = in.readUnsignedByte();
    if (in.readableBytes() < length) {
      throw new IllegalArgumentException("hello's " + what + " runs past its end");
    }
    byte[] bytes = new byte[length];
    in.readBytes(bytes);
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hello h && role == h.role && auth == h.auth
        && Arrays.equals(nonce, h.nonce) && cluster.equals(h.cluster) && id.equals(h.id)
        && Arrays.equals(ephemeral, h.ephemeral);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, auth, Arrays.hashCode(nonce), cluster, id,
        Arrays.hashCode(ephemeral));
  }

  @Override
  public String toString() {
    String modes = auth == AUTH_NONE ? "no-auth" : ((auth & AUTH_SECRET) != 0 ? "secret" : "")
        + (auth == (AUTH_SECRET | AUTH_KEYS) ? "+" : "") + ((auth & AUTH_KEYS) != 0 ? "keys" : "");
    return "Hello[" + role + " " + modes + " cluster=" + cluster + " id=" + id + "]";
  }
}
