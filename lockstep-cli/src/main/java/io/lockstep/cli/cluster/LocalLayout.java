package io.lockstep.cli.cluster;

import io.lockstep.identity.Signer;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The files of a local cluster in one data directory {@code D}:
 *
 * <pre>
 * D/cluster.properties   the cluster config every replica reads (regenerated on each run,
 *                        keeping the settings the data depend on: {@link #pinned})
 * D/secret.hex           the shared secret, 0600, created once and reused
 * D/keys/                Byzantine clusters only: every replica's and the proxy's Ed25519
 *                        key (`lockstep keys`), created once and reused
 * D/&lt;id&gt;/               replica id's log segments, snapshots, pid and replica.log
 * </pre>
 *
 * <p>Ports on loopback, from the base port {@code P}: replica {@code i} serves Redis on
 * {@code P+i}, peers on {@code P+100+i}, Java clients on {@code P+200+i} and HTTP metrics and
 * health on {@code P+300+i} (as {@link ClusterConfig#local}).
 *
 * @param dataDir the data directory D
 * @param replicas how many replicas
 * @param basePort the base port P
 * @param service the replicated service
 * @param machine the user's state machine class when {@code service} is
 *     {@link Service#MACHINE} (written as {@code cluster.machine}), otherwise null
 * @param failureModel fail-stop (Raft, t = ⌊(n−1)/2⌋) or Byzantine (protocol {@value #BYZANTINE_PROTOCOL},
 *     t = ⌊(n−1)/3⌋, with keys)
 * @param spares how many spare replicas to list after the voters ({@code replica.ID.role=spare},
 *     ids and ports following theirs); fail-stop only
 * @param configuratorBound the {@code cluster.configurator.unreachable-ms} value to write
 *     (milliseconds or {@code off}), or null for the default
 * @param protocol the protocol chosen by name ({@code cluster.protocol}), or null for the
 *     failure model's own (raft, or pbft when Byzantine); t is then the largest the protocol's
 *     {@code check} accepts for this many replicas (t = n−1 for the paper's own fail-stop
 *     schemes, which need only t+1)
 */
public record LocalLayout(Path dataDir, int replicas, int basePort, Service service,
    String machine, FailureModel failureModel, int spares, String configuratorBound,
    String protocol) {
  /** The protocol a Byzantine local cluster runs. */
  public static final String BYZANTINE_PROTOCOL = "pbft";
  /** The protocol setting that lets a replica set change by ordered commands (pbft's). */
  static final String REPLICA_SET = "replica-set";
  /** The keyed client id of the proxy a Byzantine local cluster starts. */
  public static final String PROXY_CLIENT = "proxy";
  /** The cluster-file lines of the keys, kept beside them for the next start. */
  private static final String KEY_LINES = "cluster-keys.properties";

  /**
   * Timing bounds written for a protocol that assumes them (the paper's own schemes): wider than
   * their defaults, because replica processes on one shared machine see garbage-collection and
   * scheduling pauses of hundreds of milliseconds, and a pause past the failure timeout would
   * have a live replica declared failed; replica processes start one after another, slowly on a
   * loaded machine. Only keys the protocol knows are written.
   */
  static final Map<String, String> ONE_MACHINE_TIMING = Map.of("max-delay-ms", "1000",
      "failure-timeout-ms", "3000", "start-timeout-ms", "30000", "delta-ms", "1100");

  /**
   * Timing bounds written for the paper's Byzantine schemes (replica-uid and real-time under
   * Byzantine faults): they order in rounds of signed agreement, which must exceed
   * {@code max-delay-ms} + 2 × the skew bound. The delay bound stays the fail-stop schemes'
   * 1000 ms. A loop that stalls over a round while it starts is no longer condemned (the rounds
   * had not begun), and 400 ms with 500 ms rounds then started every cluster tried; but once
   * ordering, a loop stalled over a 500 ms round on a shared build machine (load average above
   * 50), which is broken synchrony and keeps that replica unhealthy until restart, and a write
   * timed out. The 100 ms above the bound and twice the 2 ms skew leave room for a round
   * noticed a tick late. The processes share one clock, so the default skew bound holds. A
   * write takes about 2t+2 rounds with replica-uid (four to five seconds), about three seconds
   * with real-time, so many clients should share each round.
   */
  static final Map<String, String> ONE_MACHINE_BYZANTINE_TIMING = Map.of("max-delay-ms", "1000",
      "round-ms", "1100", "failure-timeout-ms", "3000", "start-timeout-ms", "30000");

  /** The config file's name inside the data directory. */
  public static final String CONFIG_FILE = "cluster.properties";
  /** The secret file's name inside the data directory. */
  public static final String SECRET_FILE = "secret.hex";
  /** The cluster name written into the config. */
  public static final String CLUSTER_NAME = "local";

  public LocalLayout {
    dataDir = dataDir.toAbsolutePath().normalize();
    java.util.Objects.requireNonNull(failureModel, "failureModel");
    if (failureModel == FailureModel.BYZANTINE && replicas < 4
        && (protocol == null || protocol.equals(BYZANTINE_PROTOCOL))) {
      // A protocol chosen by name states its own count in its check (replica-uid: 2t+1).
      throw new IllegalArgumentException("a Byzantine " + BYZANTINE_PROTOCOL + " cluster needs"
          + " 3t+1 replicas, at least 4; --replicas was " + replicas);
    }
    if ((service == Service.MACHINE) != (machine != null)) {
      throw new IllegalArgumentException("a machine class goes with service machine only");
    }
    if (replicas < 1 || replicas > 99) {
      throw new IllegalArgumentException("--replicas must be between 1 and 99, was " + replicas);
    }
    if (spares < 0 || replicas + spares > 99) {
      throw new IllegalArgumentException("--spares must be at least 0, and replicas and spares"
          + " together at most 99; was " + spares);
    }
    if (basePort < 1 || basePort + 300 + replicas + spares > 65_535) {
      throw new IllegalArgumentException("--base-port must leave room for ports up to base+"
          + (300 + replicas + spares) + " below 65536, was " + basePort);
    }
    if (protocol != null && Protocols.find(protocol).isEmpty()) {
      throw new IllegalArgumentException("--protocol " + protocol + " is not in this build;"
          + " registered protocols: " + String.join(", ", Protocols.all().keySet()));
    }
  }

  /** A layout running the failure model's own protocol. */
  public LocalLayout(Path dataDir, int replicas, int basePort, Service service, String machine,
      FailureModel failureModel, int spares, String configuratorBound) {
    this(dataDir, replicas, basePort, service, machine, failureModel, spares, configuratorBound,
        null);
  }

  /** A layout without spares. */
  public LocalLayout(Path dataDir, int replicas, int basePort, Service service, String machine,
      FailureModel failureModel) {
    this(dataDir, replicas, basePort, service, machine, failureModel, 0, null);
  }

  /** A fail-stop layout. */
  public LocalLayout(Path dataDir, int replicas, int basePort, Service service, String machine) {
    this(dataDir, replicas, basePort, service, machine, FailureModel.FAIL_STOP);
  }

  /** A layout of a built-in service ({@code kv} or {@code lock}). */
  public LocalLayout(Path dataDir, int replicas, int basePort, Service service) {
    this(dataDir, replicas, basePort, service, null);
  }

  /**
   * Faults tolerated: ⌊(n−1)/2⌋ crashes, or ⌊(n−1)/3⌋ Byzantine replicas; for a protocol chosen
   * by name, the largest t its {@code check} accepts.
   *
   * @throws IllegalArgumentException if the chosen protocol accepts no t for this cluster, with
   *     its reasons
   */
  public int t() {
    if (protocol == null) {
      return failureModel == FailureModel.BYZANTINE ? (replicas - 1) / 3 : (replicas - 1) / 2;
    }
    Protocol p = Protocols.named(protocol);
    List<Integer> members = IntStream.rangeClosed(1, replicas).boxed().toList();
    List<String> problems = List.of();
    for (int t = replicas - 1; t >= 0; t--) {
      problems = p.check(new ProtocolSetup(1, members, failureModel, t, settings(),
          failureModel == FailureModel.BYZANTINE ? KEY_TO_BE_WRITTEN : Signer.none(1)));
      if (problems.isEmpty()) {
        return t;
      }
    }
    throw new IllegalArgumentException("--protocol " + protocol + " cannot run " + replicas
        + " replicas: " + String.join("; ", problems));
  }

  /**
   * Stands, while t is chosen, for the key every replica of a Byzantine cluster gets from
   * {@link #prepare} (a check that asks whether a replica can sign gets yes); it signs nothing
   * real and verifies nothing.
   */
  private static final Signer KEY_TO_BE_WRITTEN = new Signer() {
    @Override
    public int self() {
      return 1;
    }

    @Override
    public byte[] sign(byte[] data) {
      return new byte[0];
    }

    @Override
    public boolean verify(int node, byte[] data, byte[] signature) {
      return false;
    }
  };

  /** The protocol the cluster file names. */
  public String protocolName() {
    return protocol != null ? protocol
        : failureModel == FailureModel.BYZANTINE ? BYZANTINE_PROTOCOL : "raft";
  }

  /** The protocol settings written for it (keys without the prefix). */
  private Map<String, String> settings() {
    Protocol chosen = Protocols.named(protocolName());
    Map<String, String> out = new LinkedHashMap<>(pinned(chosen));
    Map<String, String> known = chosen.defaultSettings();
    if (spares > 0 && known.containsKey(REPLICA_SET)) {
      // A spare can only join a protocol whose replica set is replicated state (Byzantine:
      // changed by ordered commands); with the default fixed set it would never vote.
      out.put(REPLICA_SET, "ordered");
    }
    if (protocol == null) {
      return out;
    }
    (failureModel == FailureModel.BYZANTINE ? ONE_MACHINE_BYZANTINE_TIMING
        : ONE_MACHINE_TIMING).forEach((key, value) -> {
      if (known.containsKey(key)) {
        out.put(key, value);
      }
    });
    return out;
  }

  /**
   * The settings the replicas' data will depend on ({@link Protocol#pinnedSettings}, pbft's
   * max-batch, checkpoint interval and window): a new cluster file names them with today's
   * defaults, so that a later build with other defaults cannot silently apply them to this
   * cluster. The file is rewritten on every start, and a rewrite keeps what the file named
   * before, and names nothing it did not: a cluster made by a build that named none runs with
   * what each data directory recorded, or, for data that recorded nothing, with the defaults of
   * the build that wrote it (the protocol's rule), never with today's.
   */
  private Map<String, String> pinned(Protocol chosen) {
    Map<String, String> pinned = new TreeMap<>(chosen.pinnedSettings());
    if (pinned.isEmpty() || !Files.exists(configFile())) {
      return pinned;
    }
    Map<String, String> kept = new TreeMap<>();
    try {
      Map<String, String> before = ClusterConfig.load(configFile()).protocolSettings();
      pinned.keySet().forEach(key -> {
        if (before.containsKey(key)) {
          kept.put(key, before.get(key));
        }
      });
    } catch (ConfigException e) {
      // A file that does not parse names nothing: the data directories' records decide.
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + configFile(), e);
    }
    return kept;
  }

  /** The Redis port of the proxy a Byzantine cluster starts: the base port itself. */
  public int proxyPort() {
    return basePort;
  }

  public Path keysDir() {
    return dataDir.resolve("keys");
  }

  /** A layout running the user's state machine {@code machineClass}. */
  public static LocalLayout ofMachine(Path dataDir, int replicas, int basePort,
      String machineClass) {
    return new LocalLayout(dataDir, replicas, basePort, Service.MACHINE, machineClass);
  }

  public Path configFile() {
    return dataDir.resolve(CONFIG_FILE);
  }

  public Path secretFile() {
    return dataDir.resolve(SECRET_FILE);
  }

  /** Replica {@code id}'s own directory. */
  public Path replicaDir(int id) {
    return dataDir.resolve(Integer.toString(id));
  }

  /**
   * Creates the data directory and secret if missing and writes the config file.
   *
   * @throws IllegalStateException if the directory already holds a cluster of another shape
   *     (replica count, service or machine class): its logs would not fit this configuration
   */
  public ClusterConfig prepare() throws IOException {
    Files.createDirectories(dataDir);
    checkSameShape();
    ensureSecret();
    String keyLines = failureModel == FailureModel.BYZANTINE ? ensureKeys() : "";
    Files.writeString(configFile(), properties() + keyLines, StandardCharsets.UTF_8);
    try {
      return ClusterConfig.load(configFile());
    } catch (ConfigException e) {
      throw new IllegalStateException("generated config " + configFile() + " is invalid: "
          + e.getMessage(), e);
    }
  }

  private void checkSameShape() throws IOException {
    if (!Files.isRegularFile(configFile())) {
      return;
    }
    ClusterConfig old;
    try {
      old = ClusterConfig.load(configFile());
    } catch (ConfigException e) {
      return;
    }
    if (old.voters().size() != replicas || old.spares().size() != spares
        || old.service() != service
        || old.failureModel() != failureModel
        || !java.util.Objects.equals(old.machine(), machine)
        || !old.protocol().equals(protocolName())) {
      String spared = old.spares().isEmpty() ? "" : " --spares " + old.spares().size();
      boolean otherProtocol = !old.protocol().equals(protocolName());
      throw new IllegalStateException(dataDir + " holds a " + old.voters().size()
          + "-replica " + describe(old.service(), old.machine()) + " cluster"
          + (spared.isEmpty() ? "" : " with " + old.spares().size() + " spares")
          + (otherProtocol ? " of protocol " + old.protocol() : "")
          + "; run with --replicas " + old.voters().size() + spared + " "
          + options(old.service(), old.machine())
          + (otherProtocol ? " --protocol " + old.protocol() : "")
          + ", or choose another --data-dir");
    }
  }

  private static String describe(Service service, String machine) {
    return service == Service.MACHINE ? machine : service.name().toLowerCase(Locale.ROOT);
  }

  private static String options(Service service, String machine) {
    return service == Service.MACHINE ? "--machine " + machine
        : "--service " + service.name().toLowerCase(Locale.ROOT);
  }

  /** A 32-byte random secret, readable by the owner only; an existing one is kept. */
  private void ensureSecret() throws IOException {
    if (Files.exists(secretFile())) {
      return;
    }
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    try {
      Files.createFile(secretFile(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      return;
    }
    Files.writeString(secretFile(), HexFormat.of().formatHex(secret) + "\n",
        StandardCharsets.US_ASCII);
  }

  /**
   * The Byzantine cluster's keys: made once (replicas and the proxy), then reused, so a restart
   * on the same directory keeps each replica's identity.
   */
  private String ensureKeys() throws IOException {
    Path lines = keysDir().resolve(KEY_LINES);
    if (Files.isRegularFile(lines)) {
      return Files.readString(lines, StandardCharsets.US_ASCII);
    }
    ClusterKeys keys = ClusterKeys.generate(keysDir(),
        java.util.stream.IntStream.rangeClosed(1, replicas + spares).boxed().toList(),
        java.util.List.of(PROXY_CLIENT));
    String text = String.join("\n", keys.lines()) + "\n";
    Files.writeString(lines, text, StandardCharsets.US_ASCII);
    return text;
  }

  /** The config file's text. */
  String properties() {
    StringBuilder out = new StringBuilder();
    out.append("# Written by `lockstep local` on every start; edit the command's options instead.\n")
        .append("# Ports: redis base+i, peer base+100+i, client base+200+i, metrics base+300+i.\n")
        .append("cluster.name=").append(CLUSTER_NAME).append('\n')
        .append("cluster.failure-model=").append(failureModel.configName()).append('\n')
        .append("cluster.t=").append(t()).append('\n')
        .append("cluster.protocol=").append(protocolName()).append('\n')
        .append("cluster.service=").append(service.name().toLowerCase(Locale.ROOT)).append('\n')
        .append(machine == null ? "" : "cluster.machine=" + machine + "\n")
        .append("cluster.data-dir=.\n")
        .append("cluster.secret-file=").append(SECRET_FILE).append('\n');
    settings().forEach((key, value) -> out.append(protocolName()).append('.').append(key)
        .append('=').append(value).append('\n'));
    for (int i = 1; i <= replicas + spares; i++) {
      replica(out, i, "peer", basePort + 100 + i);
      replica(out, i, "client", basePort + 200 + i);
      replica(out, i, "redis", basePort + i);
      replica(out, i, "metrics", basePort + 300 + i);
      if (i > replicas) {
        // Listed so every replica connects to it, outside the initial configuration until the
        // configurator (or an operator's `lockstep member add`) makes it a voter.
        out.append("replica.").append(i).append(".role=spare\n");
      }
    }
    if (configuratorBound != null) {
      out.append("cluster.configurator.unreachable-ms=").append(configuratorBound).append('\n');
    }
    return out.toString();
  }

  private static void replica(StringBuilder out, int id, String port, int number) {
    out.append("replica.").append(id).append('.').append(port).append("=127.0.0.1:")
        .append(number).append('\n');
  }
}
