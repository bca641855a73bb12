package io.lockstep.server.config;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Protocols;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns properties into a {@link ClusterConfig}, collecting every problem before failing, so an
 * operator fixes a file in one round rather than one error at a time.
 */
final class ConfigParser {
  static final Pattern REPLICA_KEY =
      Pattern.compile("replica\\.(\\d{1,9})\\.([\\w-]+)");
  /** {@code client.<id>.public-key} and {@code client.<id>.private-key-file}. */
  static final Pattern CLIENT_KEY_KEY =
      Pattern.compile("client\\.(.+)\\.(public-key|private-key-file)");
  static final Set<String> REPLICA_KEY_KINDS = Set.of("public-key", "private-key-file");
  /** {@code client.<id>.secret}: one client's own secret (per-client authentication, X5). */
  private static final Pattern CLIENT_SECRET_KEY = Pattern.compile("client\\.(.+)\\.secret");
  /** Client ids that may have a secret of their own: what the handshake accepts as a name. */
  static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Set<String> ADDRESS_KINDS = Set.of("peer", "client", "redis", "metrics");
  private static final Set<String> KEYS = Set.of("cluster.name", "cluster.failure-model",
      "cluster.t", "cluster.protocol", "cluster.service", "cluster.data-dir", "cluster.secret",
      "cluster.secret-file", "client.secret", "runtime.tick-ms", "runtime.request-timeout-ms",
      "snapshot.interval", "digest.interval", "redis.password", "cluster.machine",
      "redis.max-memory", "runtime.loop-queue-bytes", "runtime.client-connection-bytes",
      "runtime.peer-queue-bytes",
      "redis.connection-bytes", "redis.total-bytes", "redis.reply-buffer-bytes",
      "cluster.configurator.unreachable-ms", "journal.enabled", "journal.max-file-bytes",
      "journal.files", "cluster.operators");
  private static final int MIN_SECRET_BYTES = 16;
  /**
   * Per-client secrets need the cluster secret: each replica's forwarder proves a client secret
   * derived from it ({@link ClusterConfig#forwarderSecret}).
   */
  static final String FORWARDERS_NEED_SECRET = "client.<id>.secret needs cluster.secret: the"
      + " replicas' forwarders derive their client secrets from it (in a cluster with keys and no"
      + " secret, give clients keys, client.<id>.public-key, or one client.secret)";
  /** Prefix of the test-only key shifting one replica's wall clock. */
  static final String TEST_CLOCK_OFFSET = "runtime.test-clock-offset-ms.";
  /** Ten days: a test needs an hour; a larger value is a typo. */
  private static final long MAX_TEST_CLOCK_OFFSET = 10L * 24 * 3_600_000;
  /** A binary class name: dot-separated Java identifiers, nested classes with {@code $}. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
          + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

  private final Properties properties;
  private final Path baseDir;
  private final List<String> problems = new ArrayList<>();

  private ConfigParser(Properties properties, Path baseDir) {
    this.properties = properties;
    this.baseDir = baseDir;
  }

  static ClusterConfig parse(Properties properties, String source, Path baseDir)
      throws ConfigException {
    ConfigParser parser = new ConfigParser(properties, baseDir);
    ClusterConfig config = parser.build();
    if (!parser.problems.isEmpty()) {
      throw new ConfigException(source, parser.problems);
    }
    return config;
  }

  private ClusterConfig build() {
    unknownKeys();
    String name = required("cluster.name");
    if (name != null && !NAME.matcher(name).matches()) {
      problems.add("cluster.name '" + name + "' must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    FailureModel model = failureModel();
    int t = (int) number("cluster.t", 1, 0, 1000);
    String protocol = properties.getProperty("cluster.protocol", "raft").trim();
    Map<String, String> protocolSettings = protocolSettings(protocol);
    String machine = trimmed("cluster.machine");
    Service service = service(machine != null);
    String machineProblem = service == null ? null : machineProblem(service, machine);
    if (machineProblem != null) {
      problems.add(machineProblem);
    }
    List<ReplicaAddresses> replicas = replicas();
    String dir = required("cluster.data-dir");
    byte[] secret = secret();
    byte[] clientSecret = hexSecret("client.secret", properties.getProperty("client.secret"));
    Map<String, byte[]> clientSecrets = clientSecrets();
    if (clientSecret != null && !clientSecrets.isEmpty()) {
      problems.add("give either client.secret (one secret for every client) or client.<id>.secret"
          + " (one per client), not both");
    }
    if (secret == null && !clientSecrets.isEmpty() && !problems.contains(FORWARDERS_NEED_SECRET)) {
      problems.add(FORWARDERS_NEED_SECRET);
    }
    long tick = number("runtime.tick-ms", 5, 1, 1_000);
    long requestTimeout = number("runtime.request-timeout-ms", 5_000, 1, 3_600_000);
    long snapshotInterval = number("snapshot.interval", 100_000, 0, Long.MAX_VALUE);
    long digestInterval = number("digest.interval", ClusterConfig.DEFAULT_DIGEST_INTERVAL, 0,
        Long.MAX_VALUE);
    long redisMaxMemory = number("redis.max-memory", ClusterConfig.DEFAULT_REDIS_MAX_MEMORY, 1,
        Long.MAX_VALUE);
    ClientBudgets budgets = budgets();
    JournalSettings journal = journal();
    long unreachable = configuratorBound();
    Map<Integer, Long> offsets = testClockOffsets(replicas);
    ClusterKeys keys = new KeysSection(properties, baseDir, problems).keys(model, replicas);
    if (model != null) {
      problems.addAll(validate(name == null ? "x" : name, model, t, protocol, replicas,
          secret, protocolSettings, keys).stream()
          .filter(p -> !problems.contains(p) && !(name != null && p.startsWith("cluster name")))
          .toList());
    }
    if (!problems.isEmpty()) {
      return null;
    }
    return new ClusterConfig(name, model, t, protocol, service, replicas,
        baseDir.resolve(dir).normalize(), secret, clientSecret, clientSecrets, protocolSettings,
        tick, requestTimeout, snapshotInterval, redisPassword(), machine, redisMaxMemory,
        budgets, digestInterval, offsets, keys, unreachable, journal);
  }

  /** The event journal's keys, each defaulting to {@link JournalSettings#DEFAULTS}. */
  private JournalSettings journal() {
    JournalSettings d = JournalSettings.DEFAULTS;
    String enabled = trimmed("journal.enabled");
    if (enabled != null && !enabled.equals("true") && !enabled.equals("false")) {
      problems.add("journal.enabled must be true or false, was '" + enabled + "'");
    }
    return new JournalSettings(!"false".equals(enabled),
        number("journal.max-file-bytes", d.maxFileBytes(), JournalSettings.MIN_FILE_BYTES,
            JournalSettings.MAX_FILE_BYTES),
        (int) number("journal.files", d.files(), 1, JournalSettings.MAX_FILES));
  }

  /** {@code cluster.configurator.unreachable-ms}: a bound in milliseconds, or off (0). */
  private long configuratorBound() {
    String value = trimmed("cluster.configurator.unreachable-ms");
    if (value != null && value.equals("off")) {
      return 0;
    }
    return number("cluster.configurator.unreachable-ms",
        ClusterConfig.DEFAULT_CONFIGURATOR_UNREACHABLE_MILLIS, 1, 86_400_000);
  }

  /**
   * {@code runtime.test-clock-offset-ms.<id>}: test only, shifts replica {@code id}'s wall clock
   * (never its monotonic clock) so process tests can run one replica with a wrong clock.
   */
  private Map<Integer, Long> testClockOffsets(List<ReplicaAddresses> replicas) {
    Map<Integer, Long> out = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      if (!key.startsWith(TEST_CLOCK_OFFSET)) {
        continue;
      }
      String id = key.substring(TEST_CLOCK_OFFSET.length());
      if (!id.matches("\\d{1,9}")
          || replicas.stream().noneMatch(r -> r.id() == Integer.parseInt(id))) {
        problems.add(key + ": '" + id + "' is not the id of a configured replica");
        continue;
      }
      out.put(Integer.parseInt(id), number(key, 0, -MAX_TEST_CLOCK_OFFSET, MAX_TEST_CLOCK_OFFSET));
    }
    return out;
  }

  /**
   * Checks a configuration's parts against each other (also used by the record itself); the
   * protocol checks its own settings and the replica count it needs for {@code model} and t.
   */
  static List<String> validate(String name, FailureModel model, int t, String protocol,
      List<ReplicaAddresses> replicas, byte[] secret, Map<String, String> protocolSettings,
      ClusterKeys keys) {
    List<String> out = new ArrayList<>();
    if (!NAME.matcher(name).matches()) {
      out.add("cluster name '" + name + "' must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    Optional<Protocol> chosen = Protocols.find(protocol);
    if (chosen.isEmpty()) {
      out.add("cluster.protocol '" + protocol + "' is not available; registered protocols: "
          + String.join(", ", Protocols.all().keySet()));
    }
    if (replicas.isEmpty()) {
      out.add("no replicas configured: add replica.<id>.peer/client/redis/metrics keys");
    } else if (replicas.stream().allMatch(ReplicaAddresses::spare)) {
      out.add("every replica is a spare: the initial configuration needs at least one voter");
    } else if (chosen.isPresent()) {
      // The protocol checks the initial configuration's size; spares are outside it.
      List<Integer> members = replicas.stream().filter(r -> !r.spare())
          .map(ReplicaAddresses::id).sorted().toList();
      out.addAll(chosen.get().check(new ProtocolSetup(members.get(0), members, model, t,
          protocolSettings, checkSigner(members.get(0), keys))));
    }
    duplicateAddresses(replicas, out);
    if (secret == null) {
      if (!keys.present()) {
        out.add("cluster.secret (hex) or cluster.secret-file is required unless every replica has"
            + " a key (replica.<id>.public-key and replica.<id>.private-key-file: run `lockstep"
            + " keys` and add its lines)");
      }
    } else if (secret.length < MIN_SECRET_BYTES) {
      out.add("the cluster secret is " + secret.length + " bytes; at least " + MIN_SECRET_BYTES
          + " are needed (use 32 random bytes: head -c 32 /dev/urandom | xxd -p -c 64)");
    }
    return out;
  }

  /**
   * The signer a protocol's {@code check} sees. The file names public keys only; a replica reads
   * its own private key at start ({@code ReplicaIdentity}), and a client or another machine has
   * none to read. So with keys in the file this signer verifies with the configured public keys
   * and signs with a key made for this check alone: enough for a protocol to learn that the
   * cluster signs, never used for anything that leaves this method.
   */
  private static Signer checkSigner(int self, ClusterKeys keys) {
    if (!keys.present()) {
      return Signer.none(self);
    }
    return new Ed25519Signer(self, Ed25519Signer.generate().getPrivate(), keys.replicaKeys());
  }

  /** The keys under {@code <protocol>.}, without that prefix: the protocol's own settings. */
  private Map<String, String> protocolSettings(String protocol) {
    Map<String, String> settings = new TreeMap<>();
    String prefix = protocol + ".";
    for (String key : properties.stringPropertyNames()) {
      if (key.startsWith(prefix)) {
        settings.put(key.substring(prefix.length()), properties.getProperty(key).trim());
      }
    }
    return settings;
  }

  private static void duplicateAddresses(List<ReplicaAddresses> replicas, List<String> out) {
    Map<String, String> users = new HashMap<>();
    Set<Integer> ids = new java.util.HashSet<>();
    for (ReplicaAddresses r : replicas) {
      if (!ids.add(r.id())) {
        out.add("replica " + r.id() + " is configured twice");
      }
      String[] kinds = {"peer", "client", "redis", "metrics"};
      InetSocketAddress[] addresses = {r.peer(), r.client(), r.redis(), r.metrics()};
      for (int i = 0; i < kinds.length; i++) {
        String user = "replica." + r.id() + "." + kinds[i];
        String previous = users.putIfAbsent(ReplicaAddresses.text(addresses[i]), user);
        if (previous != null && addresses[i].getPort() != 0) {
          out.add(user + " uses " + ReplicaAddresses.text(addresses[i]) + " like " + previous);
        }
      }
    }
  }

  private void unknownKeys() {
    for (String key : new TreeMap<>(properties).keySet().stream().map(Object::toString).toList()) {
      Matcher m = REPLICA_KEY.matcher(key);
      boolean known = m.matches()
          ? ADDRESS_KINDS.contains(m.group(2)) || REPLICA_KEY_KINDS.contains(m.group(2))
              || m.group(2).equals("role")
          : KEYS.contains(key) || CLIENT_SECRET_KEY.matcher(key).matches()
          || CLIENT_KEY_KEY.matcher(key).matches()
          || key.startsWith(TEST_CLOCK_OFFSET)
          || key.startsWith(chosenProtocol() + "."); // the protocol checks its own keys
      if (!known) {
        String other = key.contains(".") ? key.substring(0, key.indexOf('.')) : "";
        problems.add("unknown key '" + key + "'" + (Protocols.find(other).isPresent()
            ? " (a setting of protocol " + other + ", but cluster.protocol is "
                + chosenProtocol() + ")" : ""));
      }
    }
  }

  private String chosenProtocol() {
    return properties.getProperty("cluster.protocol", "raft").trim();
  }

  /** Every {@code client.<id>.secret}, by client id. */
  private Map<String, byte[]> clientSecrets() {
    Map<String, byte[]> out = new TreeMap<>();
    for (String key : new TreeMap<>(properties).keySet().stream().map(Object::toString).toList()) {
      Matcher m = CLIENT_SECRET_KEY.matcher(key);
      if (!m.matches()) {
        continue;
      }
      String id = m.group(1);
      if (!CLIENT_NAME.matcher(id).matches() || id.startsWith(ClusterConfig.FORWARDER_PREFIX)) {
        problems.add(key + ": a client id must be 1-64 of A-Z a-z 0-9 . _ - and must not start"
            + " with '" + ClusterConfig.FORWARDER_PREFIX + "' (reserved for replicas)");
        continue;
      }
      byte[] secret = hexSecret(key, properties.getProperty(key));
      if (secret != null) {
        out.put(id, secret);
      }
    }
    return out;
  }

  private FailureModel failureModel() {
    String value = properties.getProperty("cluster.failure-model", "fail-stop").trim();
    Optional<FailureModel> model = FailureModel.named(value);
    if (model.isEmpty()) {
      problems.add("cluster.failure-model '" + value + "' must be fail-stop or byzantine");
    }
    return model.orElse(null);
  }

  /** {@code cluster.service}; a file that names a machine class runs it unless told otherwise. */
  private Service service(boolean machineNamed) {
    String value = properties.getProperty("cluster.service", machineNamed ? "machine" : "kv")
        .trim();
    return switch (value) {
      case "kv" -> Service.KV;
      case "lock" -> Service.LOCK;
      case "machine" -> Service.MACHINE;
      default -> {
        problems.add("cluster.service '" + value + "' must be kv, lock or machine");
        yield null;
      }
    };
  }

  /**
   * Why {@code machine} does not fit {@code service}, or null: the user's class is named exactly
   * when the service is {@code machine}, and must look like a Java class name.
   */
  static String machineProblem(Service service, String machine) {
    if (service == Service.MACHINE && machine == null) {
      return "cluster.service machine needs cluster.machine, the class name of the state machine";
    }
    if (service != Service.MACHINE && machine != null) {
      return "cluster.machine '" + machine + "' is only for cluster.service=machine, not "
          + service.name().toLowerCase(java.util.Locale.ROOT);
    }
    if (machine != null && !CLASS_NAME.matcher(machine).matches()) {
      return "cluster.machine '" + machine + "' is not a Java class name (e.g. com.example.Bank)";
    }
    return null;
  }

  /** A key's trimmed value, or null when it is absent or blank. */
  private String trimmed(String key) {
    String value = properties.getProperty(key);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private List<ReplicaAddresses> replicas() {
    TreeMap<Integer, Map<String, InetSocketAddress>> byId = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      Matcher m = REPLICA_KEY.matcher(key);
      if (m.matches() && ADDRESS_KINDS.contains(m.group(2))) {
        InetSocketAddress address = address(key, properties.getProperty(key).trim());
        if (address != null) {
          byId.computeIfAbsent(Integer.parseInt(m.group(1)), id -> new TreeMap<>())
              .put(m.group(2), address);
        }
      }
    }
    for (String key : properties.stringPropertyNames()) {
      Matcher m = REPLICA_KEY.matcher(key);
      if (m.matches() && m.group(2).equals("role")
          && !byId.containsKey(Integer.parseInt(m.group(1)))) {
        problems.add(key + " names no configured replica (it needs replica." + m.group(1)
            + ".peer/client/redis/metrics too)");
      }
    }
    List<ReplicaAddresses> out = new ArrayList<>();
    byId.forEach((id, addresses) -> {
      List<String> missing = ADDRESS_KINDS.stream().filter(k -> !addresses.containsKey(k))
          .sorted().toList();
      if (!missing.isEmpty()) {
        missing.forEach(k -> problems.add("replica." + id + "." + k + " is missing"));
      } else {
        out.add(new ReplicaAddresses(id, addresses.get("peer"), addresses.get("client"),
            addresses.get("redis"), addresses.get("metrics"), spare(id)));
      }
    });
    return out;
  }

  /** {@code replica.ID.role}: voter (the default) or spare; anything else is a problem. */
  private boolean spare(int id) {
    String role = trimmed("replica." + id + ".role");
    if (role == null || role.equals("voter")) {
      return false;
    }
    if (!role.equals("spare")) {
      problems.add("replica." + id + ".role '" + role + "' must be voter or spare");
    }
    return role.equals("spare");
  }

  private InetSocketAddress address(String key, String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      problems.add(key + " '" + value + "' must be host:port");
      return null;
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (port < 0 || port > 65_535) {
        problems.add(key + " port " + port + " must be 0..65535");
        return null;
      }
      InetSocketAddress address = new InetSocketAddress(value.substring(0, colon), port);
      if (address.isUnresolved()) {
        problems.add(key + " host '" + value.substring(0, colon) + "' cannot be resolved");
        return null;
      }
      return address;
    } catch (NumberFormatException e) {
      problems.add(key + " '" + value + "' has a port that is not a number");
      return null;
    }
  }

  private byte[] secret() {
    String inline = properties.getProperty("cluster.secret");
    String file = properties.getProperty("cluster.secret-file");
    if (inline != null && file != null) {
      problems.add("give either cluster.secret or cluster.secret-file, not both");
      return null;
    }
    if (inline == null && file == null) {
      return null; // validate() says whether keys stand in for it
    }
    if (inline != null) {
      return hexSecret("cluster.secret", inline);
    }
    try {
      byte[] raw = Files.readAllBytes(baseDir.resolve(file.trim()));
      String text = new String(raw, java.nio.charset.StandardCharsets.US_ASCII).trim();
      return text.matches("([0-9a-fA-F]{2}){16,}") ? HexFormat.of().parseHex(text) : raw;
    } catch (IOException e) {
      problems.add("cluster.secret-file " + file + " cannot be read: " + e);
      return null;
    }
  }

  private byte[] hexSecret(String key, String value) {
    if (value == null) {
      return null;
    }
    String hex = value.trim();
    if (!hex.matches("([0-9a-fA-F]{2}){16,}")) {
      problems.add(key + " must be at least 32 hex digits (16 bytes)");
      return null;
    }
    return HexFormat.of().parseHex(hex);
  }

  private String required(String key) {
    String value = properties.getProperty(key);
    if (value == null || value.isBlank()) {
      problems.add(key + " is required");
      return null;
    }
    return value.trim();
  }

  private long number(String key, long fallback, long min, long max) {
    String value = properties.getProperty(key);
    if (value == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value.trim());
      if (n < min || n > max) {
        problems.add(key + " is " + n + "; it must be between " + min + " and " + max);
        return fallback;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(key + " '" + value.trim() + "' is not a whole number");
      return fallback;
    }
  }

  /** The byte budgets at the replica's edges, each key defaulting to {@link ClientBudgets}. */
  private ClientBudgets budgets() {
    ClientBudgets d = ClientBudgets.DEFAULTS;
    long max = 1L << 50;
    return new ClientBudgets(
        number("runtime.loop-queue-bytes", d.loopQueueBytes(), ClientBudgets.MIN_BYTES, max),
        number("runtime.client-connection-bytes", d.clientConnectionBytes(),
            ClientBudgets.MIN_BYTES, max),
        number("redis.connection-bytes", d.redisConnectionBytes(), ClientBudgets.MIN_BYTES, max),
        number("redis.total-bytes", d.redisTotalBytes(), ClientBudgets.MIN_BYTES, max),
        number("redis.reply-buffer-bytes", d.redisReplyBytes(), ClientBudgets.MIN_BYTES, max),
        number("runtime.peer-queue-bytes", d.peerQueueBytes(), ClientBudgets.MIN_BYTES, max));
  }

  /** {@code redis.password}: trimmed; blank means none. */
  private String redisPassword() {
    String value = properties.getProperty("redis.password");
    return value == null || value.isBlank() ? null : value.trim();
  }
}
