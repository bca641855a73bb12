package io.lockstep.server.config;

import io.lockstep.identity.Ed25519Signer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * How keys are written down: a public key in the cluster file as one line of base64 (its X.509
 * encoding), a private key in a file of its own as PEM (PKCS#8, what {@code openssl pkey} reads),
 * readable by its owner only. A private key never enters the cluster file, which every replica
 * and client reads.
 */
public final class KeyFiles {
  private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String END = "-----END PRIVATE KEY-----";

  private KeyFiles() {}

  /** A public key as cluster-file text. */
  public static String publicKeyText(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** Parses cluster-file text; IllegalArgumentException saying why it is not an Ed25519 key. */
  public static PublicKey parsePublicKey(String text) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64: " + e.getMessage());
    }
    return Ed25519Signer.publicKey(der);
  }

  /**
   * Writes {@code key} to a new file readable and writable by its owner only (0600, set before
   * any key byte is written). Refuses to overwrite an existing file: a key replaced by mistake
   * locks its replica out of the cluster.
   */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString(), null, "refusing to overwrite a key");
    }
    Files.createFile(file, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    String pem = BEGIN + "\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
        .encodeToString(key.getEncoded()) + "\n" + END + "\n";
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }

  /** Reads a private key file; IOException naming the file and what is wrong with it. */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
      throw new IOException(file + " is not a PEM private key (" + BEGIN + " ... " + END + ")");
    }
    String body = text.substring(BEGIN.length(), text.length() - END.length());
    try {
      return Ed25519Signer.privateKey(Base64.getMimeDecoder().decode(body));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
