package io.lockstep.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One connection's handshake and, afterwards, its per-frame MACs (X5 authenticated channels).
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>On connect both sides send a HELLO: role, auth mode, a fresh 32-byte nonce from
 *       {@link SecureRandom}, the cluster name and their id.
 *   <li>On the other's HELLO each side checks role, cluster, auth mode and id ({@link Admission}),
 *       builds the transcript T = both hellos (dialer's first) and sends a PROOF:
 *       HMAC-SHA256(secret, "proof " + side ‖ T).
 *   <li>On the other's PROOF each side checks it in constant time. The connection is then open.
 *       Each direction's data frames carry HMAC-SHA256(k, seq ‖ body) truncated to 16 bytes, with
 *       k = HMAC-SHA256(secret, "frame key " + side ‖ T) and seq counted, not sent.
 * </ol>
 * With auth mode "none" (client connections only, when explicitly configured) steps 2–3 stop after
 * the HELLO checks and frames carry no MAC.
 *
 * <h2>Key mode</h2>
 * With {@link Hello#AUTH_KEYS} each node has its own Ed25519 key pair instead of a shared secret
 * (paper §3.1: a faulty replica must not be able to speak as another). Each HELLO then also
 * carries a fresh ephemeral X25519 public key; the PROOF is the side's Ed25519 signature over
 * "key proof " + side ‖ T, checked against the public key configured for the id the remote
 * claims; the frame keys are HMAC-SHA256(x, "frame key " + side ‖ T) with x the X25519 secret of
 * the two ephemeral keys. A recorded handshake is useless (fresh nonces and ephemeral keys on
 * both sides), a node that knows only its own key cannot prove another id, and a frame cut from
 * another connection fails the MAC (other keys). The dialer names the one mode it uses; an
 * acceptor may accept both (a client port with secret clients and key clients).
 *
 * <h2>Threat model</h2>
 * The attacker can connect to any port, send anything, and read, drop, inject, replay, reorder and
 * modify bytes on the network, but does not know the secret. Then: it cannot complete a handshake
 * (it cannot compute a proof; fresh nonces on both sides make recorded proofs useless, and the
 * side labels stop reflecting a proof back); it cannot inject, modify, replay, reorder or drop a
 * data frame without the receiver noticing (the MAC binds the connection's keys and the frame's
 * position), and a frame recorded on one connection is worthless on another (new nonces, new
 * keys). Every failure closes the connection with a counted, logged reason; the replica sees only
 * authenticated payloads in the sender's order. Before authentication a frame may be at most
 * {@link Hello#MAX_BYTES} and a handshake must finish within a timeout, which bounds what a
 * stranger can make a replica hold. <b>Not</b> provided: confidentiality (payloads travel in
 * clear; use a private network, WireGuard or a TLS tunnel when that matters), protection against
 * someone who knows the secret (every holder of the cluster secret can act as any replica: use one
 * secret per cluster and per client), and protection against an attacker who simply resets TCP
 * connections (availability; Raft and the reconnection backoff live with that).
 *
 * <p>The handler runs on its channel's event loop thread; every field is confined to it.
 */
final class SecureSession extends ChannelDuplexHandler {
  /** Receives what the session learns; called on the channel's event loop thread. */
  interface Listener {
    /** The handshake finished; {@code send} may be used from now on. */
    void onOpen(SecureSession session);

    /** A verified data payload arrived. */
    void onData(SecureSession session, byte[] payload);

    /** The socket can take more bytes again (back-pressure released). */
    default void onWritable(SecureSession session) {}

    /** The connection closed; {@code reason} says why, or is null for an ordinary close. */
    void onClose(SecureSession session, String reason);
  }

  private enum State { AWAIT_HELLO, AWAIT_PROOF, OPEN, CLOSED }

  private static final SecureRandom NONCES = new SecureRandom();

  private final Side side;
  private final Hello local;
  private final PrivateKey signingKey;
  private final KeyPair ephemeral;
  private int mode = Hello.AUTH_NONE;
  private PublicKey remoteKey;
  private final byte[] localBytes;
  private final Admission admission;
  private final Listener listener;
  private final Rejections rejections;
  private final FrameDecoder decoder;
  private final NetOptions options;
  private State state = State.AWAIT_HELLO;
  private Channel channel;
  private ScheduledFuture<?> timeout;
  private volatile Hello remote;
  private byte[] secret;
  private byte[] transcript;
  private FrameMac sendMac;
  private FrameMac receiveMac;
  private volatile AuthenticatorKey authenticatorKey;
  private String closeReason;

  private SecureSession(Side side, Hello local, PrivateKey signingKey, KeyPair ephemeral,
      Admission admission, Listener listener, Rejections rejections, FrameDecoder decoder,
      NetOptions options) {
    this.side = side;
    this.local = local;
    this.signingKey = signingKey;
    this.ephemeral = ephemeral;
    this.localBytes = local.encode();
    this.admission = admission;
    this.listener = listener;
    this.rejections = rejections;
    this.decoder = decoder;
    this.options = options;
  }

  /**
   * Installs framing and a session on a new channel.
   *
   * @param hmac whether this side proves and MACs (it must match the remote's choice)
   */
  static SecureSession install(Channel channel, Side side, Role role, boolean hmac,
      String cluster, String localId, Admission admission, Listener listener,
      Rejections rejections, NetOptions options) {
    return install(channel, side, role, hmac ? Hello.AUTH_SECRET : Hello.AUTH_NONE, null, cluster,
        localId, admission, listener, rejections, options);
  }

  /**
   * Installs framing and a session on a new channel.
   *
   * @param auth the one mode a dialer uses, or every mode an acceptor accepts ({@link Hello})
   * @param signingKey this node's Ed25519 private key, needed with {@link Hello#AUTH_KEYS}
   */
  static SecureSession install(Channel channel, Side side, Role role, int auth,
      PrivateKey signingKey, String cluster, String localId, Admission admission,
      Listener listener, Rejections rejections, NetOptions options) {
    boolean keys = (auth & Hello.AUTH_KEYS) != 0;
    if (keys && signingKey == null) {
      throw new IllegalArgumentException("key authentication needs this node's private key");
    }
    byte[] nonce = new byte[Hello.NONCE_BYTES];
    NONCES.nextBytes(nonce);
    KeyPair ephemeral = keys ? KeyExchange.ephemeral() : null;
    Hello local = new Hello(role, auth, nonce, cluster, localId,
        keys ? ephemeral.getPublic().getEncoded() : new byte[0]);
    FrameDecoder decoder = new FrameDecoder(rejections, Hello.MAX_BYTES);
    SecureSession session = new SecureSession(side, local, keys ? signingKey : null, ephemeral,
        admission, listener, rejections, decoder, options);
    channel.pipeline().addLast("frames", decoder).addLast("session", session);
    return session;
  }

  /** The remote's id as it proved it (or declared it, on an unauthenticated connection). */
  String remoteId() {
    return remote == null ? null : remote.id();
  }

  /** Whether the remote proved a secret or key and every frame is MACed. */
  boolean authenticated() {
    return mode != Hello.AUTH_NONE;
  }

  /** Whether the remote proved the private key of the id it claims (key mode). */
  boolean keyAuthenticated() {
    return mode == Hello.AUTH_KEYS;
  }

  /** The connection's request authenticator key: key mode only, else null. */
  AuthenticatorKey authenticatorKey() {
    return authenticatorKey;
  }

  Channel channel() {
    return channel;
  }

  SocketAddress remoteAddress() {
    return channel == null ? null : channel.remoteAddress();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long millis = options.handshakeTimeout().toMillis();
    timeout = ctx.executor().schedule(() -> onTimeout(millis), millis, TimeUnit.MILLISECONDS);
    writeFrame(ctx, FrameKind.HELLO, localBytes, new byte[0]);
    ctx.flush();
    ctx.fireChannelActive();
  }

  private void onTimeout(long millis) {
    if (state == State.AWAIT_HELLO || state == State.AWAIT_PROOF) {
      reject(RejectReason.HANDSHAKE_TIMEOUT, "no handshake within " + millis + " ms (" + state + ")");
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Frames.Frame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    switch (state) {
      case AWAIT_HELLO -> onHello(ctx, frame);
      case AWAIT_PROOF -> onProof(ctx, frame);
      case OPEN -> onData(frame);
      case CLOSED -> { }
      default -> throw new IllegalStateException("unknown session state " + state);
    }
  }

  private void onHello(ChannelHandlerContext ctx, Frames.Frame frame) {
    if (frame.kind() != FrameKind.HELLO) {
      reject(RejectReason.BAD_HANDSHAKE, "expected HELLO, got " + frame.kind());
      return;
    }
    try {
      remote = Hello.decode(frame.payload());
    } catch (IllegalArgumentException malformed) {
      reject(RejectReason.BAD_HANDSHAKE, "malformed hello: " + malformed.getMessage());
      return;
    }
    Admission.Verdict verdict = check(remote);
    if (verdict instanceof Admission.Refuse refuse) {
      reject(refuse.reason(), refuse.detail() + " (" + remote + ")");
      return;
    }
    byte[] remoteBytes = frame.payload();
    transcript = side == Side.DIALER
        ? HandshakeCrypto.transcript(localBytes, remoteBytes)
        : HandshakeCrypto.transcript(remoteBytes, localBytes);
    if (mode == Hello.AUTH_NONE) {
      open();
      return;
    }
    byte[] proof = mode == Hello.AUTH_SECRET ? secretProof((Admission.Admit) verdict)
        : keyProof((Admission.Admit) verdict);
    if (proof == null) {
      return;
    }
    state = State.AWAIT_PROOF;
    writeFrame(ctx, FrameKind.PROOF, proof, new byte[0]);
    ctx.flush();
  }

  private byte[] secretProof(Admission.Admit admit) {
    if (admit.secret() == null) {
      reject(RejectReason.UNKNOWN_ID, "no secret is configured for '" + remote.id() + "'");
      return null;
    }
    secret = admit.secret();
    return HandshakeCrypto.proof(secret, side, transcript);
  }

  /** Key mode: the X25519 secret becomes the frame keys' root; the proof is a signature. */
  private byte[] keyProof(Admission.Admit admit) {
    if (admit.remoteKey() == null) {
      reject(RejectReason.UNKNOWN_ID, "no public key is configured for '" + remote.id() + "'");
      return null;
    }
    remoteKey = admit.remoteKey();
    try {
      secret = KeyExchange.agree(ephemeral.getPrivate(), remote.ephemeral());
    } catch (IllegalArgumentException malformed) {
      reject(RejectReason.BAD_HANDSHAKE, malformed.getMessage() + " (" + remote + ")");
      return null;
    }
    return KeyExchange.sign(signingKey, side, transcript);
  }

  private Admission.Verdict check(Hello hello) {
    if (hello.role() != local.role()) {
      return new Admission.Refuse(RejectReason.AUTH_MISMATCH,
          "remote speaks as " + hello.role() + ", this endpoint serves " + local.role());
    }
    if (!hello.cluster().equals(local.cluster())) {
      return new Admission.Refuse(RejectReason.WRONG_CLUSTER,
          "remote is in cluster '" + hello.cluster() + "', this is '" + local.cluster() + "'");
    }
    int dialer = side == Side.DIALER ? local.auth() : hello.auth();
    int acceptor = side == Side.DIALER ? hello.auth() : local.auth();
    if (dialer != Hello.AUTH_NONE && dialer != Hello.AUTH_SECRET && dialer != Hello.AUTH_KEYS) {
      return new Admission.Refuse(RejectReason.BAD_HANDSHAKE,
          "the dialer must name the one auth mode it uses, not several");
    }
    boolean fits = dialer == Hello.AUTH_NONE
        ? acceptor == Hello.AUTH_NONE || (acceptor & Hello.AUTH_OPEN) != 0
        : (acceptor & dialer) != 0;
    if (!fits) {
      return new Admission.Refuse(RejectReason.AUTH_MISMATCH, "the dialer uses auth "
          + modeName(dialer) + ", the acceptor accepts " + modeName(acceptor));
    }
    mode = dialer;
    return admission.admit(hello);
  }

  private static String modeName(int auth) {
    return switch (auth) {
      case Hello.AUTH_NONE -> "none";
      case Hello.AUTH_SECRET -> "secret";
      case Hello.AUTH_KEYS -> "keys";
      default -> ((auth & Hello.AUTH_OPEN) != 0 ? "none, " : "")
          + ((auth & Hello.AUTH_SECRET) != 0 ? "secret, " : "") + "keys";
    };
  }

  private void onProof(ChannelHandlerContext ctx, Frames.Frame frame) {
    if (frame.kind() != FrameKind.PROOF) {
      reject(RejectReason.BAD_HANDSHAKE, "expected PROOF, got " + frame.kind());
      return;
    }
    boolean valid = mode == Hello.AUTH_KEYS
        ? KeyExchange.verify(remoteKey, side.other(), transcript, frame.payload())
        : HandshakeCrypto.matches(HandshakeCrypto.proof(secret, side.other(), transcript),
            frame.payload());
    if (!valid) {
      reject(RejectReason.BAD_PROOF, "proof does not match: wrong "
          + (mode == Hello.AUTH_KEYS ? "key" : "secret") + " or replayed handshake (" + remote
          + ")");
      return;
    }
    sendMac = new FrameMac(HandshakeCrypto.frameKey(secret, side, transcript));
    receiveMac = new FrameMac(HandshakeCrypto.frameKey(secret, side.other(), transcript));
    if (mode == Hello.AUTH_KEYS) {
      authenticatorKey = new AuthenticatorKey(HandshakeCrypto.authenticatorKey(secret, transcript));
    }
    open();
  }

  private void open() {
    state = State.OPEN;
    secret = null;
    transcript = null;
    timeout.cancel(false);
    decoder.raiseLimit(options.maxPayloadBytes());
    rejections.stats().handshake();
    listener.onOpen(this);
  }

  private void onData(Frames.Frame frame) {
    if (frame.kind() != FrameKind.DATA) {
      reject(RejectReason.BAD_HANDSHAKE, "unexpected " + frame.kind() + " after the handshake");
      return;
    }
    byte[] payload = frame.payload();
    if (receiveMac != null) {
      if (!receiveMac.verify(payload)) {
        reject(RejectReason.BAD_MAC, "data frame MAC does not match (tampered, injected, "
            + "replayed or reordered) from " + remote.id());
        return;
      }
      payload = Arrays.copyOf(payload, payload.length - FrameMac.TAG_BYTES);
    }
    rejections.stats().received();
    try {
      listener.onData(this, payload);
    } catch (RuntimeException e) {
      rejections.handlerError(e);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof byte[] body)) {
      ctx.write(msg, promise);
      return;
    }
    if (state != State.OPEN) {
      promise.tryFailure(new IllegalStateException("session is " + state + ", not open"));
      return;
    }
    byte[] trailer = sendMac == null ? new byte[0] : sendMac.tag(body);
    writeFrame(ctx, FrameKind.DATA, body, trailer, promise);
  }

  private void writeFrame(ChannelHandlerContext ctx, FrameKind kind, byte[] body, byte[] trailer) {
    writeFrame(ctx, kind, body, trailer, ctx.voidPromise());
  }

  private static void writeFrame(ChannelHandlerContext ctx, FrameKind kind, byte[] body,
      byte[] trailer, ChannelPromise promise) {
    ByteBuf out = ctx.alloc().buffer(Frames.HEADER_BYTES + body.length + trailer.length);
    Frames.encode(kind, body, trailer, out);
    ctx.write(out, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && state == State.OPEN) {
      listener.onWritable(this);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof FrameDecoder.Rejected rejected) {
      closeReason = rejected.reason() + ": " + rejected.detail();
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String detail = cause instanceof IOException ? String.valueOf(cause.getMessage())
        : cause.toString();
    reject(RejectReason.IO_ERROR, detail);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    State was = state;
    state = State.CLOSED;
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (closeReason == null && was != State.OPEN) {
      closeReason = "connection closed by the remote during the handshake (" + was + ")";
    }
    listener.onClose(this, closeReason);
    ctx.fireChannelInactive();
  }

  private void reject(RejectReason reason, String detail) {
    if (state == State.CLOSED || closeReason != null) {
      return;
    }
    closeReason = reason + ": " + detail;
    state = State.CLOSED;
    rejections.close(channel, reason, detail);
  }
}
