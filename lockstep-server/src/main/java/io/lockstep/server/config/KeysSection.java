package io.lockstep.server.config;

import io.lockstep.order.FailureModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * The key lines of a cluster file ({@code replica.<id>.public-key}, {@code client.<id>.public-key},
 * their private-key files and {@code cluster.operators}), read apart from the rest of the file
 * because their rules (all or nothing, required under Byzantine faults, operators need keys) are
 * checked again when a configuration is built in code ({@link ClusterConfig}).
 */
final class KeysSection {
  private final Properties properties;
  private final Path baseDir;
  private final List<String> problems;

  /** Reads from {@code properties}; adds what is wrong to {@code problems}. */
  KeysSection(Properties properties, Path baseDir, List<String> problems) {
    this.properties = properties;
    this.baseDir = baseDir;
    this.problems = problems;
  }

  /** The keys {@code lockstep keys} writes ({@link ClusterKeys}); bad ones listed as problems. */
  ClusterKeys keys(FailureModel model, List<ReplicaAddresses> replicas) {
    ClusterKeys keys = readKeys();
    if (model != null) {
      problems.addAll(keyProblems(model, replicas, keys));
    }
    return keys;
  }

  private ClusterKeys readKeys() {
    Map<Integer, java.security.PublicKey> replicaKeys = new TreeMap<>();
    Map<Integer, Path> replicaFiles = new TreeMap<>();
    Map<String, java.security.PublicKey> clientKeys = new TreeMap<>();
    Map<String, Path> clientFiles = new TreeMap<>();
    for (String key : new TreeMap<>(properties).keySet().stream().map(Object::toString).toList()) {
      Matcher replica = ConfigParser.REPLICA_KEY.matcher(key);
      Matcher client = ConfigParser.CLIENT_KEY_KEY.matcher(key);
      String value = properties.getProperty(key).trim();
      if (replica.matches() && ConfigParser.REPLICA_KEY_KINDS.contains(replica.group(2))) {
        int id = Integer.parseInt(replica.group(1));
        if (replica.group(2).equals("public-key")) {
          putKey(key, value, id, replicaKeys);
        } else {
          replicaFiles.put(id, baseDir.resolve(value).normalize());
        }
      } else if (client.matches()) {
        String id = client.group(1);
        if (!ConfigParser.CLIENT_NAME.matcher(id).matches() || id.startsWith(ClusterConfig.FORWARDER_PREFIX)) {
          problems.add(key + ": a client id must be 1-64 of A-Z a-z 0-9 . _ - and must not start"
              + " with '" + ClusterConfig.FORWARDER_PREFIX + "' (reserved for replicas)");
        } else if (client.group(2).equals("public-key")) {
          putKey(key, value, id, clientKeys);
        } else {
          clientFiles.put(id, baseDir.resolve(value).normalize());
        }
      }
    }
    return new ClusterKeys(replicaKeys, replicaFiles, clientKeys, clientFiles, operators());
  }

  /** {@code cluster.operators}: comma-separated client ids (checked by keyProblems). */
  private Set<String> operators() {
    String value = properties.getProperty("cluster.operators");
    Set<String> out = new java.util.TreeSet<>();
    if (value != null) {
      for (String id : value.trim().split(",")) {
        if (!id.isBlank()) {
          out.add(id.trim());
        }
      }
    }
    return out;
  }

  private <K> void putKey(String key, String value, K id, Map<K, java.security.PublicKey> into) {
    try {
      into.put(id, KeyFiles.parsePublicKey(value));
    } catch (IllegalArgumentException e) {
      problems.add(key + " is " + e.getMessage() + " (write keys with `lockstep keys`)");
    }
  }

  /**
   * Keys are all or nothing for replicas (a replica without a key could not join a keyed peer
   * port), name only configured replicas, and are required in the Byzantine model: with a shared
   * secret any replica could speak as any other, and a client could not tell whose vote a reply
   * is.
   */
  static List<String> keyProblems(FailureModel model, List<ReplicaAddresses> replicas,
      ClusterKeys keys) {
    List<String> out = new ArrayList<>();
    Set<Integer> ids = new java.util.TreeSet<>();
    replicas.forEach(r -> ids.add(r.id()));
    for (Integer id : keys.replicaKeys().keySet()) {
      if (!ids.contains(id)) {
        out.add("replica." + id + ".public-key names no configured replica");
      }
    }
    if (keys.present()) {
      ids.stream().filter(id -> !keys.replicaKeys().containsKey(id)).forEach(id -> out.add(
          "replica." + id + ".public-key is missing: with keys, every replica needs one"));
    } else if (model == FailureModel.BYZANTINE) {
      out.add("cluster.failure-model=byzantine needs every replica's key (replica.<id>.public-key"
          + " and replica.<id>.private-key-file): run `lockstep keys` and add its lines");
    }
    keys.operators().stream().filter(op -> !keys.clientKeys().containsKey(op)).forEach(op ->
        out.add("cluster.operators names '" + op + "', which has no client." + op
            + ".public-key: an operator signs commands with its own key"));
    return out;
  }

  /** Writes {@code keys} as the lines {@link #keys} reads (private-key files absolute). */
  static void write(ClusterKeys keys, Properties p) {
    if (!keys.operators().isEmpty()) {
      p.setProperty("cluster.operators", String.join(",", keys.operators()));
    }
    keys.replicaKeys().forEach((id, key) ->
        p.setProperty("replica." + id + ".public-key", KeyFiles.publicKeyText(key)));
    keys.replicaKeyFiles().forEach((id, file) -> p.setProperty("replica." + id
        + ".private-key-file", file.toAbsolutePath().toString()));
    keys.clientKeys().forEach((id, key) ->
        p.setProperty("client." + id + ".public-key", KeyFiles.publicKeyText(key)));
    keys.clientKeyFiles().forEach((id, file) -> p.setProperty("client." + id
        + ".private-key-file", file.toAbsolutePath().toString()));
  }
}
