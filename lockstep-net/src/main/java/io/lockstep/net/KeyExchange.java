package io.lockstep.net;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.KeyAgreement;

/**
 * The public-key computations of the key handshake (see {@link SecureSession}): each side signs
 * its side label and the transcript with its long-term Ed25519 key, and both derive the frame
 * keys from an ephemeral X25519 agreement. The signature proves who holds the other end (no
 * shared secret: one replica's key lets it speak only as itself); the ephemeral agreement gives
 * every connection fresh pairwise MAC keys that a recorded handshake cannot reproduce. JDK only.
 */
final class KeyExchange {
  static final int SIGNATURE_BYTES = 64;

  private KeyExchange() {}

  /** A fresh ephemeral X25519 pair for one connection. */
  static KeyPair ephemeral() {
    try {
      return KeyPairGenerator.getInstance("X25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK lacks X25519 (Java 11 and later have it)", e);
    }
  }

  /**
   * The shared secret of this side's ephemeral key and the remote's (X.509 bytes from its
   * hello); throws IllegalArgumentException when the remote's bytes are not an X25519 key.
   */
  static byte[] agree(PrivateKey local, byte[] remoteX509) {
    PublicKey remote;
    try {
      remote = KeyFactory.getInstance("X25519").generatePublic(new X509EncodedKeySpec(remoteX509));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("ephemeral key is not an X25519 public key: " + e);
    }
    try {
      KeyAgreement agreement = KeyAgreement.getInstance("X25519");
      agreement.init(local);
      agreement.doPhase(remote, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException | RuntimeException e) {
      // A low-order point gives an all-zero secret, which the JDK refuses: a hostile key.
      throw new IllegalArgumentException("X25519 agreement failed: " + e.getMessage());
    }
  }

  /** {@code side}'s proof: its Ed25519 signature over its label and the transcript. */
  static byte[] sign(PrivateKey key, Side side, byte[] transcript) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(key);
      signature.update(label(side));
      signature.update(transcript);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing the handshake with Ed25519 failed (is the"
          + " configured private key an Ed25519 key?)", e);
    }
  }

  /** Whether {@code proof} is {@code side}'s signature by {@code key}; false for any garbage. */
  static boolean verify(PublicKey key, Side side, byte[] transcript, byte[] proof) {
    if (proof.length != SIGNATURE_BYTES) {
      return false;
    }
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initVerify(key);
      signature.update(label(side));
      signature.update(transcript);
      return signature.verify(proof);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static byte[] label(Side side) {
    return ("key proof " + side).getBytes(StandardCharsets.US_ASCII);
  }
}
