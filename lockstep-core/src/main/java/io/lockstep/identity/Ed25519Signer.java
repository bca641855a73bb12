package io.lockstep.identity;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link Signer} over the JDK's Ed25519 (no extra dependency; signatures are deterministic,
 * 64 bytes). Keys travel as their standard encodings: X.509 for public keys, PKCS#8 for private
 * ones.
 *
 * <p>Thread-safe: each call takes its own {@link Signature} instance, so a runtime may verify on
 * several threads at once, off the replica's loop thread.
 */
public final class Ed25519Signer implements Signer {
  private static final String ALGORITHM = "Ed25519";

  private final int self;
  private final PrivateKey privateKey;
  private final Map<Integer, PublicKey> publicKeys;

  /**
   * @param self the id this signer signs as
   * @param privateKey its Ed25519 private key
   * @param publicKeys every node's public key by id (its own included)
   */
  public Ed25519Signer(int self, PrivateKey privateKey, Map<Integer, PublicKey> publicKeys) {
    this.self = self;
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.publicKeys = Map.copyOf(publicKeys);
  }

  /**
   * Key pairs for {@code ids} drawn from a seeded generator: the same seed gives the same keys,
   * which the simulator needs to replay a run. Not for production keys.
   */
  public static Map<Integer, KeyPair> seededKeyPairs(Iterable<Integer> ids, long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
      generator.initialize(NamedParameterSpec.ED25519, random);
      Map<Integer, KeyPair> pairs = new TreeMap<>();
      for (int id : ids) {
        pairs.put(id, generator.generateKeyPair());
      }
      return pairs;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks Ed25519 or SHA1PRNG", e);
    }
  }

  /** A fresh key pair from the system's strong random source, for `lockstep keys`. */
  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks Ed25519", e);
    }
  }

  /** One signer per id in {@code pairs}, each knowing every public key. */
  public static Map<Integer, Signer> signers(Map<Integer, KeyPair> pairs) {
    Map<Integer, PublicKey> publics = new HashMap<>();
    pairs.forEach((id, pair) -> publics.put(id, pair.getPublic()));
    Map<Integer, Signer> signers = new TreeMap<>();
    pairs.forEach((id, pair) -> signers.put(id, new Ed25519Signer(id, pair.getPrivate(), publics)));
    return signers;
  }

  /** Decodes an X.509-encoded Ed25519 public key. */
  public static PublicKey publicKey(byte[] x509) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 public key (X.509): " + e.getMessage());
    }
  }

  /** Decodes a PKCS#8-encoded Ed25519 private key. */
  public static PrivateKey privateKey(byte[] pkcs8) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 private key (PKCS#8): " + e.getMessage());
    }
  }

  @Override
  public int self() {
    return self;
  }

  @Override
  public byte[] sign(byte[] data) {
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initSign(privateKey);
      signature.update(data);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with Ed25519 failed", e);
    }
  }

  @Override
  public boolean verify(int node, byte[] data, byte[] signature) {
    PublicKey key = publicKeys.get(node);
    if (key == null || signature == null || signature.length != 64) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
