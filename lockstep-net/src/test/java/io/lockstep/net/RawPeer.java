package io.lockstep.net;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A blocking, hand-driven speaker of the wire protocol for hostile tests: sends raw bytes, frames
 * and handshakes, records everything it sent (to replay it), and detects when the other end hangs
 * up. Written independently of the Netty pipeline, so the tests also check the protocol from a
 * second implementation.
 */
final class RawPeer implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private FrameMac sendMac;

  private RawPeer(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static RawPeer connect(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    return new RawPeer(socket);
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    sent.writeBytes(bytes);
  }

  void sendFrame(FrameKind kind, byte[] payload) throws IOException {
    sendBytes(Frames.encode(kind, payload));
  }

  /** Closes this side's output (TCP FIN) and keeps reading: the other end sees end of stream. */
  void finishSending() throws IOException {
    socket.shutdownOutput();
  }

  /** Everything sent so far, byte for byte. */
  byte[] recorded() {
    return sent.toByteArray();
  }

  /** Reads one frame, or null when the other end closed the connection. */
  Frames.Frame readFrame() throws IOException {
    byte[] header = new byte[Frames.HEADER_BYTES];
    try {
      in.readFully(header);
      int length = (int) (((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16)
          | ((header[6] & 0xff) << 8) | (header[7] & 0xff));
      byte[] whole = new byte[Frames.HEADER_BYTES + length];
      System.arraycopy(header, 0, whole, 0, header.length);
      in.readFully(whole, Frames.HEADER_BYTES, length);
      Frames.Decoded decoded = Frames.decode(io.netty.buffer.Unpooled.wrappedBuffer(whole),
          Frames.DEFAULT_MAX_PAYLOAD);
      return ((Frames.Complete) decoded).frame();
    } catch (EOFException | SocketException closed) {
      return null;
    }
  }

  /**
   * Runs the dialer's side of the handshake. Returns true when the other end's proof arrived
   * (it accepted the HELLO); the other end still checks this side's proof afterwards.
   */
  boolean handshake(Role role, String cluster, String id, byte[] secret) throws IOException {
    byte[] nonce = new byte[Hello.NONCE_BYTES];
    new SplittableRandom().nextBytes(nonce);
    byte[] hello = new Hello(role, true, nonce, cluster, id).encode();
    sendFrame(FrameKind.HELLO, hello);
    Frames.Frame theirs = readFrame();
    if (theirs == null) {
      return false;
    }
    byte[] transcript = HandshakeCrypto.transcript(hello, theirs.payload());
    sendFrame(FrameKind.PROOF, HandshakeCrypto.proof(secret, Side.DIALER, transcript));
    sendMac = new FrameMac(HandshakeCrypto.frameKey(secret, Side.DIALER, transcript));
    return readFrame() != null;
  }

  /**
   * Runs the dialer's side of the key handshake, signing as {@code id} with {@code key} (which
   * need not be {@code id}'s: a forger's). Returns true when the other end's proof arrived.
   */
  boolean keyHandshake(Role role, String cluster, String id, java.security.PrivateKey key)
      throws IOException {
    java.security.KeyPair ephemeral = KeyExchange.ephemeral();
    return keyHandshake(role, cluster, id, key, ephemeral.getPublic().getEncoded(),
        ephemeral.getPrivate());
  }

  /** As above with a chosen (possibly malformed) ephemeral key in the hello. */
  boolean keyHandshake(Role role, String cluster, String id, java.security.PrivateKey key,
      byte[] ephemeralPublic, java.security.PrivateKey ephemeralPrivate) throws IOException {
    byte[] nonce = new byte[Hello.NONCE_BYTES];
    new SplittableRandom().nextBytes(nonce);
    byte[] hello = new Hello(role, Hello.AUTH_KEYS, nonce, cluster, id, ephemeralPublic).encode();
    sendFrame(FrameKind.HELLO, hello);
    Frames.Frame theirs = readFrame();
    if (theirs == null) {
      return false;
    }
    byte[] transcript = HandshakeCrypto.transcript(hello, theirs.payload());
    sendFrame(FrameKind.PROOF, KeyExchange.sign(key, Side.DIALER, transcript));
    byte[] shared = KeyExchange.agree(ephemeralPrivate, Hello.decode(theirs.payload()).ephemeral());
    sendMac = new FrameMac(HandshakeCrypto.frameKey(shared, Side.DIALER, transcript));
    return readFrame() != null;
  }

  /** The next data frame, MACed as the handshake agreed. */
  byte[] dataFrame(byte[] body) {
    byte[] tag = sendMac.tag(body);
    byte[] payload = new byte[body.length + tag.length];
    System.arraycopy(body, 0, payload, 0, body.length);
    System.arraycopy(tag, 0, payload, body.length, tag.length);
    return Frames.encode(FrameKind.DATA, payload);
  }

  void sendData(byte[] body) throws IOException {
    sendBytes(dataFrame(body));
  }

  /** Whether the other end closed the connection within {@code timeout} (reading and dropping). */
  boolean closedByRemote(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    try {
      byte[] sink = new byte[4096];
      while (true) {
        if (in.read(sink) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
