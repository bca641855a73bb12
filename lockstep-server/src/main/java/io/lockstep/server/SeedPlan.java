package io.lockstep.server;

import io.lockstep.net.ClientConfig;
import io.lockstep.net.NetOptions;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.KeyFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How a machine joining from a small file asks its seeds ({@link SeedAsk}), read from the small
 * file and checked before anything is sent.
 *
 * <p>Fail-stop: one answer is enough (a replica may crash but does not lie), over the
 * cluster's client authentication ({@code client.secret}, or none). Byzantine: up to t seeds
 * may lie, so an address book is taken only when {@code t+1} seeds give the same one (at least
 * one of them is correct), each over a connection that checks the seed's replica key
 * ({@code replica.S.public-key}) while this machine proves its own ({@code
 * replica.N.private-key-file}; the seeds know its public key from the operator's {@code member
 * add N --key}). Hence a Byzantine small file must name at least {@code t+1} seeds with keys.
 *
 * @param client how to connect to the seeds' client ports
 * @param seeds the seeds' client addresses, by replica id
 * @param seedKeys the seeds' public keys (Byzantine), else empty
 * @param needed how many seeds must give the same address book: 1 fail-stop, t+1 Byzantine
 */
record SeedPlan(ClientConfig client, Map<Integer, String> seeds, Map<Integer, PublicKey> seedKeys,
    int needed) {

  /** Whether seeds are asked over key-checked connections and must agree. */
  boolean byzantine() {
    return !seedKeys.isEmpty();
  }

  /**
   * The plan {@code small} describes ({@code base}: where its relative key file names start).
   *
   * @throws ConfigException listing every reason the small file cannot be used to ask
   */
  static SeedPlan of(Properties small, Path base, String source, int self)
      throws ConfigException {
    Map<Integer, String> seeds = JoinFile.seeds(small, self);
    List<String> problems = new ArrayList<>();
    String name = JoinFile.trimmed(small.getProperty("cluster.name"));
    if (name == null || name.isEmpty()) {
      problems.add("cluster.name is required");
    }
    if (seeds.isEmpty()) {
      problems.add("a join file names at least one running replica besides replica " + self
          + " (replica.ID.client of a seed to ask)");
    }
    if (small.stringPropertyNames().stream()
        .anyMatch(k -> k.startsWith("client.") && k.endsWith(".secret"))) {
      problems.add("joining from a small file does not work with per-client secrets"
          + " (client.ID.secret): the seeds admit only the replicas their own file names");
    }
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD);
    boolean byzantine = "byzantine".equals(
        JoinFile.trimmed(small.getProperty("cluster.failure-model")));
    SeedPlan plan = byzantine ? byzantine(small, base, self, seeds, name, net, problems)
        : failStop(small, self, seeds, name, net, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return plan;
  }

  private static SeedPlan failStop(Properties small, int self, Map<Integer, String> seeds,
      String name, NetOptions net, List<String> problems) {
    String secret = JoinFile.trimmed(small.getProperty("client.secret"));
    if (secret != null && !secret.matches("([0-9a-fA-F]{2}){16,}")) {
      problems.add("client.secret must be at least 32 hex digits (16 bytes)");
    }
    if (!problems.isEmpty()) {
      return null;
    }
    String id = JoinerId.of(self);
    return new SeedPlan(secret == null ? ClientConfig.unauthenticated(name, id, net)
        : ClientConfig.authenticated(name, id, HexFormat.of().parseHex(secret), net),
        seeds, Map.of(), 1);
  }

  private static SeedPlan byzantine(Properties small, Path base, int self,
      Map<Integer, String> seeds, String name, NetOptions net, List<String> problems) {
    int t = faults(small, problems);
    if (seeds.size() < t + 1) {
      problems.add("a Byzantine join file names at least t+1 = " + (t + 1) + " seeds (replica.ID"
          + ".client and replica.ID.public-key of running replicas), it names " + seeds.size()
          + ": up to t replicas may lie about the address book, so only an answer t+1 give"
          + " alike is sure to come from a correct one");
    }
    Map<Integer, PublicKey> keys = new TreeMap<>();
    for (int seed : seeds.keySet()) {
      String text = JoinFile.trimmed(small.getProperty("replica." + seed + ".public-key"));
      try {
        keys.put(seed, KeyFiles.parsePublicKey(text == null ? "" : text));
      } catch (RuntimeException e) {
        problems.add("replica." + seed + ".public-key is missing or not a key: a Byzantine"
            + " join file names each seed's public key, so a seed is known by its key");
      }
    }
    PrivateKey own = ownKey(small, base, self, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    return new SeedPlan(ClientConfig.keyed(name, JoinerId.of(self), own, net), seeds, keys,
        t + 1);
  }

  private static int faults(Properties small, List<String> problems) {
    String text = JoinFile.trimmed(small.getProperty("cluster.t", "1"));
    try {
      int t = Integer.parseInt(text);
      if (t >= 0) {
        return t;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add("cluster.t must be a number of faults, 0 or more (it is " + text + ")");
    return 0;
  }

  private static PrivateKey ownKey(Properties small, Path base, int self, List<String> problems) {
    String file = JoinFile.trimmed(small.getProperty("replica." + self + ".private-key-file"));
    if (file == null) {
      problems.add("replica." + self + ".private-key-file is required in a Byzantine join"
          + " file: this machine proves the key the operator recorded for it");
      return null;
    }
    try {
      return KeyFiles.readPrivateKey(base.resolve(file));
    } catch (IOException | RuntimeException e) {
      problems.add("replica." + self + ".private-key-file " + file + " cannot be read: "
          + e.getMessage());
      return null;
    }
  }
}
