package io.lockstep.server.config;

import io.lockstep.identity.Ed25519Signer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster file's keys: every replica's and client's Ed25519 public key, and where each
 * private key lives (only its owner's machine needs that file). Written by {@code lockstep keys}:
 *
 * <pre>
 * replica.ID.public-key        base64 X.509 Ed25519 public key
 * replica.ID.private-key-file  PEM file of that replica's private key (read by replica ID only)
 * client.ID.public-key         a client's public key; it proves its id by signature
 * client.ID.private-key-file   that client's private key file (read by the client only)
 * cluster.operators            keyed client ids whose signature orders membership and system
 *                              commands (what the shared secret proves in a cluster without it)
 * </pre>
 *
 * <p>With replica keys, replicas prove their own keys on the peer port instead of the shared
 * secret (a replica can then speak only as itself), serve keyed clients on the client port, and
 * sign with them in the protocol ({@code ProtocolSetup.signer}). Such a cluster needs no shared
 * secret at all: an operator then signs membership and system commands with its own key.
 *
 * @param replicaKeys public keys by replica id (empty: the cluster has no keys)
 * @param replicaKeyFiles private key files by replica id
 * @param clientKeys public keys by client id
 * @param clientKeyFiles private key files by client id
 * @param operators ids of keyed clients that may sign membership and system commands
 */
public record ClusterKeys(Map<Integer, PublicKey> replicaKeys, Map<Integer, Path> replicaKeyFiles,
    Map<String, PublicKey> clientKeys, Map<String, Path> clientKeyFiles, Set<String> operators) {
  /** A cluster without keys (replicas prove the shared secret). */
  public static final ClusterKeys NONE = new ClusterKeys(Map.of(), Map.of(), Map.of(), Map.of());

  public ClusterKeys {
    replicaKeys = sorted(replicaKeys);
    replicaKeyFiles = sorted(replicaKeyFiles);
    clientKeys = sorted(clientKeys);
    clientKeyFiles = sorted(clientKeyFiles);
    operators = Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(operators)));
  }

  /** Keys without operators. */
  public ClusterKeys(Map<Integer, PublicKey> replicaKeys, Map<Integer, Path> replicaKeyFiles,
      Map<String, PublicKey> clientKeys, Map<String, Path> clientKeyFiles) {
    this(replicaKeys, replicaKeyFiles, clientKeys, clientKeyFiles, Set.of());
  }

  /** The same keys with {@code ids} as the operators. */
  public ClusterKeys withOperators(Set<String> ids) {
    return new ClusterKeys(replicaKeys, replicaKeyFiles, clientKeys, clientKeyFiles, ids);
  }

  /** The operators' public keys by client id (each must be a keyed client). */
  public Map<String, PublicKey> operatorKeys() {
    Map<String, PublicKey> out = new TreeMap<>();
    operators.forEach(id -> {
      PublicKey key = clientKeys.get(id);
      if (key != null) {
        out.put(id, key);
      }
    });
    return Collections.unmodifiableMap(out);
  }

  private static <K, V> Map<K, V> sorted(Map<K, V> map) {
    return Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(map)));
  }

  /** Whether replicas have keys (then they prove them instead of the shared secret). */
  public boolean present() {
    return !replicaKeys.isEmpty();
  }

  /**
   * Generates a fresh key pair for each replica and client (the system's strong random source),
   * writing each private key to {@code dir/replica-ID.key} or {@code dir/client-ID.key} with
   * owner-only permissions; refuses to overwrite an existing key file.
   */
  public static ClusterKeys generate(Path dir, List<Integer> replicas, List<String> clients)
      throws IOException {
    Files.createDirectories(dir);
    Map<Integer, PublicKey> replicaKeys = new TreeMap<>();
    Map<Integer, Path> replicaFiles = new TreeMap<>();
    for (int id : replicas) {
      Path file = dir.resolve("replica-" + id + ".key");
      replicaKeys.put(id, writePair(file));
      replicaFiles.put(id, file);
    }
    Map<String, PublicKey> clientKeys = new TreeMap<>();
    Map<String, Path> clientFiles = new TreeMap<>();
    for (String id : clients) {
      Path file = dir.resolve("client-" + id + ".key");
      clientKeys.put(id, writePair(file));
      clientFiles.put(id, file);
    }
    return new ClusterKeys(replicaKeys, replicaFiles, clientKeys, clientFiles);
  }

  private static PublicKey writePair(Path file) throws IOException {
    KeyPair pair = Ed25519Signer.generate();
    KeyFiles.writePrivateKey(file, pair.getPrivate());
    return pair.getPublic();
  }

  /** These keys as cluster-file lines (private key files as absolute paths). */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    replicaKeys.forEach((id, key) -> {
      out.add("replica." + id + ".public-key=" + KeyFiles.publicKeyText(key));
      Path file = replicaKeyFiles.get(id);
      if (file != null) {
        out.add("replica." + id + ".private-key-file=" + file.toAbsolutePath());
      }
    });
    clientKeys.forEach((id, key) -> {
      out.add("client." + id + ".public-key=" + KeyFiles.publicKeyText(key));
      Path file = clientKeyFiles.get(id);
      if (file != null) {
        out.add("client." + id + ".private-key-file=" + file.toAbsolutePath());
      }
    });
    if (!operators.isEmpty()) {
      out.add("cluster.operators=" + String.join(",", operators));
    }
    return out;
  }

  /** Reads replica {@code id}'s private key from its file. */
  public PrivateKey replicaPrivateKey(int id) throws IOException {
    Path file = replicaKeyFiles.get(id);
    if (file == null) {
      throw new IOException("the cluster file names no replica." + id + ".private-key-file");
    }
    return KeyFiles.readPrivateKey(file);
  }

  /** Reads client {@code id}'s private key from its file. */
  public PrivateKey clientPrivateKey(String id) throws IOException {
    Path file = clientKeyFiles.get(id);
    if (file == null) {
      throw new IOException("the cluster file names no client." + id + ".private-key-file");
    }
    return KeyFiles.readPrivateKey(file);
  }
}
