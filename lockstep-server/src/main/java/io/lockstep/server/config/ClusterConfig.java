package io.lockstep.server.config;

import io.lockstep.order.FailureModel;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * One file describes a whole cluster; every replica reads the same file and is told on the
 * command line which replica it is. The file is a Java {@code .properties} file (see
 * {@code sample-cluster.properties} in this module's resources):
 *
 * <pre>
 * cluster.name           name of the cluster (1–64 of A–Z a–z 0–9 . _ -); replicas and clients
 *                        of another cluster are refused by the handshake
 * cluster.failure-model  fail-stop or byzantine (the protocol says which it tolerates; raft:
 *                        fail-stop only)
 * cluster.t              faults tolerated; the protocol says how many replicas that needs
 *                        (raft: 2t+1)
 * cluster.protocol       the coordination protocol, by registered name (default raft)
 * cluster.service        kv (Redis-compatible store), lock (lock service with time-outs) or
 *                        machine (the user's own state machine named by cluster.machine);
 *                        default machine when cluster.machine is given, else kv
 * cluster.machine        the fully qualified class name of the user's StateMachine (public,
 *                        with a public no-argument constructor); only with service machine.
 *                        Every replica checks that it runs exactly this class, so a replica
 *                        started with another machine is refused rather than diverging
 * cluster.data-dir       directory holding one sub-directory per replica id (relative paths are
 *                        resolved against the file's directory)
 * cluster.secret         the shared secret, inline: hex digits (at least 32), or
 * cluster.secret-file    a file holding it (hex text, or at least 16 raw bytes); the peer
 *                        port uses it only when replicas have no keys; with every replica's
 *                        key it may be left out (then operators sign with keys, see
 *                        cluster.operators, and client.ID.secret is refused: forwarders derive
 *                        their client secrets from it)
 * replica.ID.public-key  Ed25519 keys, written by `lockstep keys` ({@link ClusterKeys}): with
 * replica.ID.private-key-file  them each replica proves its own key on the peer port, and
 * client.ID.public-key   clients may prove theirs on the client port; required by
 * client.ID.private-key-file   cluster.failure-model=byzantine
 * client.secret          optional hex secret every client must prove (ClientAuth.shared); a
 *                        client may then claim any client id
 * client.ID.secret       or, instead, one hex secret per client id (ClientAuth.perClient): a
 *                        client proves its own id, and may only issue requests as that id or
 *                        as ID/anything (its extra sessions); without either key the client
 *                        port does not authenticate clients
 * replica.ID.peer        host:port for the protocol's traffic (one group of four keys per replica)
 * replica.ID.client      host:port of the Java client protocol
 * replica.ID.redis       host:port of the RESP2 (Redis) port
 * replica.ID.metrics     host:port of the HTTP metrics and health endpoint
 * replica.ID.role        voter (default) or spare: a spare runs and every replica connects to
 *                        it, but it is outside the initial configuration until a membership
 *                        change adds it (lockstep member add, or the configurator). The file's
 *                        voters are only the INITIAL configuration: once the log or a snapshot
 *                        holds a configuration entry, every replica uses that one instead
 * cluster.configurator.unreachable-ms  on the leader, a voter silent this long is replaced by
 *                        a spare, one single-server change at a time (default 30000; off
 *                        disables it)
 * PROTOCOL.KEY               the protocol's own settings, e.g. raft.election-timeout-ms; the
 *                            protocol documents and checks them (raft: RaftProtocol)
 * runtime.tick-ms            how often the loop is told the time (default 5)
 * runtime.request-timeout-ms how long a replica waits for a Redis command's outcome before
 *                            answering TIMEOUT (indeterminate; default 5000)
 * snapshot.interval          take a snapshot every this many applied positions (default 100000)
 * digest.interval            replicas exchange a digest of their state every this many applied
 *                            positions and compare them to detect divergence (default 100000;
 *                            0 turns it off). Every replica must use the same value
 * redis.password             optional: Redis connections must AUTH with it before other
 *                            commands (Redis's requirepass)
 * redis.max-memory           the store's memory bound in bytes of keys and values (Redis's
 *                            maxmemory; default 268435456, 256 MiB); writes past it get OOM
 * runtime.loop-queue-bytes   byte budgets at the client edges ({@link ClientBudgets}): client
 * runtime.client-connection-bytes  questions queued for the loop (256 MiB), one client-port
 * redis.connection-bytes     connection's questions waiting for the loop (64 MiB), one Redis
 * redis.total-bytes          connection's unanswered commands (16 MiB), all Redis connections'
 * redis.reply-buffer-bytes   (512 MiB), replies queued to one Redis connection (256 MiB);
 *                            each at least 4096. Full budgets slow the client or answer it
 *                            busy (retryable), never run out of memory
 * runtime.peer-queue-bytes   bytes queued to one peer (default a sixteenth of the replica's
 *                            heap, 1 to 64 MiB); over it the oldest resendable messages
 *                            (Raft's AppendEntries) are dropped, then new ones refused
 * journal.enabled            the event journal ({@link JournalSettings}; default true;
 * journal.max-file-bytes     {@code LOCKSTEP_JOURNAL=off} also turns it off): files of this
 * journal.files              many bytes (default 8388608, 64 KiB to 1 GiB), this many kept
 *                            (default 8, 1 to 10000) in each replica's journal directory
 * </pre>
 *
 * <p>Invalid files are refused with every problem listed at once ({@link ConfigException}).
 *
 * @param name the cluster name
 * @param failureModel the failure model
 * @param t faults tolerated
 * @param protocol the coordination protocol's registered name (e.g. "raft")
 * @param service the replicated state machine
 * @param replicas every replica, by increasing id
 * @param dataDir the cluster's data directory; replica {@code id} uses {@code dataDir/id}
 * @param secret the peers' shared secret (≥ 16 bytes), or null when every replica has a key
 * @param clientSecret the clients' shared secret, or null
 * @param clientSecrets each client's own secret by client id (empty unless per-client
 *     authentication is configured; exclusive with {@code clientSecret})
 * @param protocolSettings the protocol's own settings: the file's keys under
 *     {@code <protocol>.}, without that prefix (missing keys take the protocol's defaults)
 * @param tickMillis how often the loop thread gets a Tick
 * @param requestTimeoutMillis how long a replica waits for a forwarded or proposed Redis
 *     command's outcome
 * @param snapshotInterval applied positions between snapshots (0 = never)
 * @param redisPassword the password Redis connections must AUTH with first, or null for none
 * @param machine the class name of the user's state machine when {@code service} is
 *     {@link Service#MACHINE}, otherwise null
 * @param redisMaxMemory the Redis store's memory bound in bytes (Redis's {@code maxmemory}; equal
 *     on every replica, as it decides which writes are refused)
 * @param budgets the byte budgets at the client edges
 * @param digestInterval applied positions between state digests exchanged for divergence
 *     detection (0 = never)
 * @param testClockOffsets <b>test only</b>: milliseconds added to a replica's wall clock, by
 *     replica id (key {@code runtime.test-clock-offset-ms.<id>}), so that a process test can run
 *     one replica with a clock an hour wrong; its monotonic clock (protocol timers) is untouched
 * @param keys the replicas' and clients' Ed25519 keys ({@link ClusterKeys#NONE} for none)
 * @param configuratorUnreachableMillis how long the leader lets a voter stay silent before its
 *     configurator replaces it with a spare (key {@code cluster.configurator.unreachable-ms};
 *     {@code off}, here 0, disables the configurator)
 * @param journal how much event journal each replica keeps, or none
 */
public record ClusterConfig(String name, FailureModel failureModel, int t, String protocol,
    Service service, List<ReplicaAddresses> replicas, Path dataDir, byte[] secret,
    byte[] clientSecret, Map<String, byte[]> clientSecrets, Map<String, String> protocolSettings,
    long tickMillis, long requestTimeoutMillis, long snapshotInterval, String redisPassword,
    String machine, long redisMaxMemory, ClientBudgets budgets, long digestInterval,
    Map<Integer, Long> testClockOffsets, ClusterKeys keys, long configuratorUnreachableMillis,
    JournalSettings journal) {

  public ClusterConfig {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(budgets, "budgets");
    testClockOffsets = Map.copyOf(Objects.requireNonNull(testClockOffsets, "testClockOffsets"));
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(failureModel, "failureModel");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(clientSecrets, "clientSecrets");
    if (secret == null && !clientSecrets.isEmpty()) {
      throw new IllegalArgumentException(ConfigParser.FORWARDERS_NEED_SECRET);
    }
    replicas = List.copyOf(replicas);
    protocolSettings = Collections.unmodifiableMap(new TreeMap<>(protocolSettings));
    List<String> problems = ConfigParser.validate(name, failureModel, t, protocol, replicas,
        secret, protocolSettings, keys);
    problems.addAll(KeysSection.keyProblems(failureModel, replicas, keys));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    secret = secret == null ? null : secret.clone();
    clientSecret = clientSecret == null ? null : clientSecret.clone();
    Map<String, byte[]> copy = new TreeMap<>();
    clientSecrets.forEach((id, key) -> copy.put(id, key.clone()));
    clientSecrets = Collections.unmodifiableMap(copy);
    if (clientSecret != null && !clientSecrets.isEmpty()) {
      throw new IllegalArgumentException("a shared client secret and per-client secrets exclude"
          + " each other");
    }
    if (redisPassword != null && redisPassword.isEmpty()) {
      throw new IllegalArgumentException("the Redis password must not be empty (null for none)");
    }
    String machineProblem = ConfigParser.machineProblem(service, machine);
    if (machineProblem != null) {
      throw new IllegalArgumentException(machineProblem);
    }
    if (digestInterval < 0) {
      throw new IllegalArgumentException("the digest interval must not be negative, was "
          + digestInterval);
    }
    if (redisMaxMemory < 1) {
      throw new IllegalArgumentException("redis.max-memory must be positive, was "
          + redisMaxMemory);
    }
    if (configuratorUnreachableMillis < 0) {
      throw new IllegalArgumentException("cluster.configurator.unreachable-ms must not be"
          + " negative (0 turns the configurator off), was " + configuratorUnreachableMillis);
    }
  }

  /**
   * How long the leader lets a voter stay silent before its configurator replaces it with a
   * spare, unless {@code cluster.configurator.unreachable-ms} says otherwise: long enough that a
   * restart or a short partition does not cost a replica, short enough that a second failure is
   * unlikely to come first.
   */
  public static final long DEFAULT_CONFIGURATOR_UNREACHABLE_MILLIS = 30_000;

  /** A configuration with the default configurator bound. */
  public ClusterConfig(String name, FailureModel failureModel, int t, String protocol,
      Service service, List<ReplicaAddresses> replicas, Path dataDir, byte[] secret,
      byte[] clientSecret, Map<String, byte[]> clientSecrets, Map<String, String> protocolSettings,
      long tickMillis, long requestTimeoutMillis, long snapshotInterval, String redisPassword,
      String machine, long redisMaxMemory, ClientBudgets budgets, long digestInterval,
      Map<Integer, Long> testClockOffsets, ClusterKeys keys) {
    this(name, failureModel, t, protocol, service, replicas, dataDir, secret, clientSecret,
        clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, budgets, digestInterval, testClockOffsets, keys,
        DEFAULT_CONFIGURATOR_UNREACHABLE_MILLIS);
  }

  /** A configuration with the default {@link JournalSettings}. */
  public ClusterConfig(String name, FailureModel failureModel, int t, String protocol,
      Service service, List<ReplicaAddresses> replicas, Path dataDir, byte[] secret,
      byte[] clientSecret, Map<String, byte[]> clientSecrets, Map<String, String> protocolSettings,
      long tickMillis, long requestTimeoutMillis, long snapshotInterval, String redisPassword,
      String machine, long redisMaxMemory, ClientBudgets budgets, long digestInterval,
      Map<Integer, Long> testClockOffsets, ClusterKeys keys, long configuratorUnreachableMillis) {
    this(name, failureModel, t, protocol, service, replicas, dataDir, secret, clientSecret,
        clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, budgets, digestInterval, testClockOffsets, keys,
        configuratorUnreachableMillis, JournalSettings.DEFAULTS);
  }

  /** The same cluster with another event journal size, or with it turned off. */
  public ClusterConfig withJournal(JournalSettings newJournal) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, keys, configuratorUnreachableMillis, newJournal);
  }

  /** The same cluster with another configurator bound in milliseconds (0: off). */
  public ClusterConfig withConfiguratorUnreachableMillis(long millis) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, keys, millis, journal);
  }

  /** The voters of the initial configuration: every listed replica that is not a spare. */
  public List<Integer> voters() {
    return replicas.stream().filter(r -> !r.spare()).map(ReplicaAddresses::id).toList();
  }

  /** The replicas listed as spares ({@code replica.ID.role=spare}). */
  public List<Integer> spares() {
    return replicas.stream().filter(ReplicaAddresses::spare).map(ReplicaAddresses::id).toList();
  }

  /** The Redis store's default memory bound: 256 MiB of keys and values (estimated). */
  public static final long DEFAULT_REDIS_MAX_MEMORY = 256L << 20;

  /** The same cluster with another Redis memory bound (bytes). */
  public ClusterConfig withRedisMaxMemory(long bytes) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, bytes, budgets, digestInterval, testClockOffsets,
        keys, configuratorUnreachableMillis, journal);
  }

  /**
   * Default {@code digest.interval}, as long as the default snapshot interval: a digest streams
   * the whole state through SHA-256 on the loop thread, so its cost per position is its time
   * divided by the interval (docs/OPERATIONS.md has measurements; small states can afford a
   * shorter interval and detect sooner).
   */
  public static final long DEFAULT_DIGEST_INTERVAL = 100_000;

  /** Client ids starting with this are the replicas' own forwarders (reserved). */
  public static final String FORWARDER_PREFIX = "lockstep-replica-";

  /**
   * Each client's own secret, by id (copies). With per-client authentication the replicas'
   * forwarders are clients too: see {@link #forwarderSecret(int)}.
   */
  @Override
  public Map<String, byte[]> clientSecrets() {
    Map<String, byte[]> copy = new TreeMap<>();
    clientSecrets.forEach((id, key) -> copy.put(id, key.clone()));
    return copy;
  }

  /** True when every client proves its own id (and may only issue requests as that id). */
  public boolean perClientAuthentication() {
    return !clientSecrets.isEmpty();
  }

  /** The client id replica {@code id} forwards Redis requests to the leader under. */
  public static String forwarderId(int id) {
    return FORWARDER_PREFIX + id;
  }

  /**
   * The secret of replica {@code id}'s forwarder: derived from the peers' secret, which every
   * replica holds, so no extra key needs distributing (HMAC-SHA256 keyed by the peer secret).
   */
  public byte[] forwarderSecret(int id) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(forwarderId(id).getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
    }
  }

  /** The peers' shared secret (a copy), or null in a cluster whose keys stand in for it. */
  @Override
  public byte[] secret() {
    return secret == null ? null : secret.clone();
  }

  @Override
  public byte[] clientSecret() {
    return clientSecret == null ? null : clientSecret.clone();
  }

  /** Reads and validates a cluster file. */
  public static ClusterConfig load(Path file) throws ConfigException, IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    Path base = file.toAbsolutePath().getParent();
    return ConfigParser.parse(properties, file.toString(), base);
  }

  /**
   * Validates properties already in memory.
   *
   * @param source where they came from, for messages
   * @param baseDir the directory relative paths are resolved against
   */
  public static ClusterConfig parse(Properties properties, String source, Path baseDir)
      throws ConfigException {
    return ConfigParser.parse(properties, source, baseDir);
  }

  /** A configuration with the default {@link ClientBudgets}. */
  /** A configuration with the default digest interval. */
  public ClusterConfig(String name, FailureModel failureModel, int t, String protocol,
      Service service, List<ReplicaAddresses> replicas, Path dataDir, byte[] secret,
      byte[] clientSecret, Map<String, byte[]> clientSecrets, Map<String, String> protocolSettings,
      long tickMillis, long requestTimeoutMillis, long snapshotInterval, String redisPassword,
      String machine, long redisMaxMemory, ClientBudgets budgets) {
    this(name, failureModel, t, protocol, service, replicas, dataDir, secret, clientSecret,
        clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, budgets, DEFAULT_DIGEST_INTERVAL, Map.of());
  }

  /** A configuration without keys (replicas prove the shared secret on the peer port). */
  public ClusterConfig(String name, FailureModel failureModel, int t, String protocol,
      Service service, List<ReplicaAddresses> replicas, Path dataDir, byte[] secret,
      byte[] clientSecret, Map<String, byte[]> clientSecrets, Map<String, String> protocolSettings,
      long tickMillis, long requestTimeoutMillis, long snapshotInterval, String redisPassword,
      String machine, long redisMaxMemory, ClientBudgets budgets, long digestInterval,
      Map<Integer, Long> testClockOffsets) {
    this(name, failureModel, t, protocol, service, replicas, dataDir, secret, clientSecret,
        clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, budgets, digestInterval, testClockOffsets,
        ClusterKeys.NONE);
  }

  /** The same cluster with keys ({@code lockstep keys}), or none ({@link ClusterKeys#NONE}). */
  public ClusterConfig withKeys(ClusterKeys newKeys) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, newKeys, configuratorUnreachableMillis, journal);
  }

  /** The same cluster under another failure model and t (the protocol must accept them). */
  public ClusterConfig withFailureModel(FailureModel model, int faults, String protocolName) {
    return new ClusterConfig(name, model, faults, protocolName, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, keys, configuratorUnreachableMillis, journal);
  }

  public ClusterConfig(String name, FailureModel failureModel, int t, String protocol,
      Service service, List<ReplicaAddresses> replicas, Path dataDir, byte[] secret,
      byte[] clientSecret, Map<String, byte[]> clientSecrets, Map<String, String> protocolSettings,
      long tickMillis, long requestTimeoutMillis, long snapshotInterval, String redisPassword,
      String machine, long redisMaxMemory) {
    this(name, failureModel, t, protocol, service, replicas, dataDir, secret, clientSecret,
        clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, ClientBudgets.DEFAULTS);
  }

  /**
   * A fail-stop (t = ⌊(n−1)/2⌋) cluster on loopback: replica {@code i} of {@code 1..n} serves
   * Redis on {@code basePort + i}, peers on {@code basePort + 100 + i}, Java clients on
   * {@code basePort + 200 + i} and metrics on {@code basePort + 300 + i}.
   */
  public static ClusterConfig local(String name, int replicas, int basePort, Path dataDir,
      Service service, byte[] secret) {
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
    }
    List<ReplicaAddresses> list = new ArrayList<>();
    for (int i = 1; i <= replicas; i++) {
      list.add(new ReplicaAddresses(i, loopback(basePort + 100 + i), loopback(basePort + 200 + i),
          loopback(basePort + i), loopback(basePort + 300 + i)));
    }
    return new ClusterConfig(name, FailureModel.FAIL_STOP, (replicas - 1) / 2, "raft", service,
        list, dataDir, secret, null, Map.of(), Map.of(), 5, 5_000, 100_000, null, null,
        DEFAULT_REDIS_MAX_MEMORY);
  }

  /** The same cluster with other replica addresses (e.g. ports chosen by a test). */
  public ClusterConfig withReplicas(List<ReplicaAddresses> newReplicas) {
    return new ClusterConfig(name, failureModel, t, protocol, service, newReplicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, keys, configuratorUnreachableMillis, journal);
  }

  /** The same cluster with another digest interval (0 turns divergence detection off). */
  public ClusterConfig withDigestInterval(long interval) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, interval,
        testClockOffsets, keys, configuratorUnreachableMillis, journal);
  }

  /** The same cluster with another snapshot interval. */
  public ClusterConfig withSnapshotInterval(long interval) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis, interval,
        redisPassword, machine, redisMaxMemory, budgets, digestInterval, testClockOffsets, keys,
        configuratorUnreachableMillis, journal);
  }

  /**
   * The same cluster running the user's state machine {@code className} (service
   * {@link Service#MACHINE}).
   */
  public ClusterConfig withMachine(String className) {
    return new ClusterConfig(name, failureModel, t, protocol, Service.MACHINE, replicas, dataDir,
        secret, clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, className, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, keys, configuratorUnreachableMillis, journal);
  }

  /** The same cluster with per-client secrets (and no shared client secret). */
  public ClusterConfig withClientSecrets(Map<String, byte[]> secrets) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        null, secrets, protocolSettings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, budgets, digestInterval, testClockOffsets, keys,
        configuratorUnreachableMillis, journal);
  }

  /** The same cluster with a Redis password ({@code requirepass}), or none if null. */
  public ClusterConfig withRedisPassword(String password) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, password, machine, redisMaxMemory, budgets, digestInterval,
        testClockOffsets, keys, configuratorUnreachableMillis, journal);
  }

  /**
   * The same cluster with one protocol setting changed (key without the protocol's prefix, e.g.
   * {@code parallel-leader-append} for raft).
   */
  public ClusterConfig withProtocolSetting(String key, String value) {
    Map<String, String> settings = new TreeMap<>(protocolSettings);
    settings.put(key, value);
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, settings, tickMillis, requestTimeoutMillis, snapshotInterval,
        redisPassword, machine, redisMaxMemory, budgets, digestInterval, testClockOffsets, keys,
        configuratorUnreachableMillis, journal);
  }

  /** The same cluster with other byte budgets at the client edges. */
  public ClusterConfig withBudgets(ClientBudgets newBudgets) {
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, newBudgets, digestInterval,
        testClockOffsets, keys, configuratorUnreachableMillis, journal);
  }

  /**
   * The same cluster with replica {@code id}'s wall clock shifted by {@code offsetMillis}
   * (<b>test only</b>: see {@link #testClockOffsets()}).
   */
  public ClusterConfig withTestClockOffset(int id, long offsetMillis) {
    Map<Integer, Long> offsets = new TreeMap<>(testClockOffsets);
    offsets.put(id, offsetMillis);
    return new ClusterConfig(name, failureModel, t, protocol, service, replicas, dataDir, secret,
        clientSecret, clientSecrets, protocolSettings, tickMillis, requestTimeoutMillis,
        snapshotInterval, redisPassword, machine, redisMaxMemory, budgets, digestInterval,
        offsets, keys, configuratorUnreachableMillis, journal);
  }

  /** Milliseconds added to replica {@code id}'s wall clock: 0 except in tests. */
  public long testClockOffset(int id) {
    return testClockOffsets.getOrDefault(id, 0L);
  }

  /**
   * This configuration as the keys of a cluster file (the data directory absolute), e.g. for a
   * launcher that writes the file its replica processes read.
   */
  public Properties toProperties() {
    Properties p = new Properties();
    p.setProperty("cluster.name", name);
    p.setProperty("cluster.failure-model", failureModel.configName());
    p.setProperty("cluster.t", Integer.toString(t));
    p.setProperty("cluster.protocol", protocol);
    p.setProperty("cluster.service", service.name().toLowerCase(java.util.Locale.ROOT));
    p.setProperty("cluster.data-dir", dataDir.toAbsolutePath().toString());
    if (secret != null) {
      p.setProperty("cluster.secret", java.util.HexFormat.of().formatHex(secret));
    }
    if (clientSecret != null) {
      p.setProperty("client.secret", java.util.HexFormat.of().formatHex(clientSecret));
    }
    clientSecrets.forEach((id, key) ->
        p.setProperty("client." + id + ".secret", java.util.HexFormat.of().formatHex(key)));
    for (ReplicaAddresses r : replicas) {
      String prefix = "replica." + r.id() + ".";
      p.setProperty(prefix + "peer", ReplicaAddresses.text(r.peer()));
      p.setProperty(prefix + "client", ReplicaAddresses.text(r.client()));
      p.setProperty(prefix + "redis", ReplicaAddresses.text(r.redis()));
      p.setProperty(prefix + "metrics", ReplicaAddresses.text(r.metrics()));
      if (r.spare()) {
        p.setProperty(prefix + "role", "spare");
      }
    }
    p.setProperty("cluster.configurator.unreachable-ms", configuratorUnreachableMillis == 0
        ? "off" : Long.toString(configuratorUnreachableMillis));
    protocolSettings.forEach((key, value) -> p.setProperty(protocol + "." + key, value));
    p.setProperty("runtime.tick-ms", Long.toString(tickMillis));
    p.setProperty("runtime.request-timeout-ms", Long.toString(requestTimeoutMillis));
    p.setProperty("snapshot.interval", Long.toString(snapshotInterval));
    p.setProperty("digest.interval", Long.toString(digestInterval));
    if (redisPassword != null) {
      p.setProperty("redis.password", redisPassword);
    }
    if (machine != null) {
      p.setProperty("cluster.machine", machine);
    }
    p.setProperty("redis.max-memory", Long.toString(redisMaxMemory));
    p.setProperty("runtime.loop-queue-bytes", Long.toString(budgets.loopQueueBytes()));
    p.setProperty("runtime.client-connection-bytes",
        Long.toString(budgets.clientConnectionBytes()));
    p.setProperty("redis.connection-bytes", Long.toString(budgets.redisConnectionBytes()));
    p.setProperty("redis.total-bytes", Long.toString(budgets.redisTotalBytes()));
    p.setProperty("redis.reply-buffer-bytes", Long.toString(budgets.redisReplyBytes()));
    if (budgets.peerQueueBytes() != ClientBudgets.FROM_HEAP) {
      p.setProperty("runtime.peer-queue-bytes", Long.toString(budgets.peerQueueBytes()));
    }
    p.setProperty("journal.enabled", Boolean.toString(journal.enabled()));
    p.setProperty("journal.max-file-bytes", Long.toString(journal.maxFileBytes()));
    p.setProperty("journal.files", Integer.toString(journal.files()));
    testClockOffsets.forEach((id, offset) ->
        p.setProperty(ConfigParser.TEST_CLOCK_OFFSET + id, Long.toString(offset)));
    KeysSection.write(keys, p);
    return p;
  }

  /** The replica with this id, if configured. */
  public Optional<ReplicaAddresses> replica(int id) {
    return replicas.stream().filter(r -> r.id() == id).findFirst();
  }

  /** Every listed replica's peer address by id, in id order. */
  public Map<Integer, InetSocketAddress> peerAddresses() {
    Map<Integer, InetSocketAddress> peers = new TreeMap<>();
    replicas.forEach(r -> peers.put(r.id(), r.peer()));
    return peers;
  }

  /** The ids of every listed replica, voters and spares (see {@link #voters()}). */
  public List<Integer> members() {
    return replicas.stream().map(ReplicaAddresses::id).toList();
  }

  /** Replica {@code id}'s own data directory. */
  public Path dataDirOf(int id) {
    return dataDir.resolve(Integer.toString(id));
  }

  static InetSocketAddress loopback(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Override
  public String toString() {
    return "ClusterConfig[" + name + ", " + failureModel + " t=" + t + ", " + protocol + ", "
        + service + (machine == null ? "" : " " + machine) + ", replicas " + members()
        + ", data " + dataDir + "]";
  }
}
