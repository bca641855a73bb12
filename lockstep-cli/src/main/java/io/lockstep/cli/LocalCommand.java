package io.lockstep.cli;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.LocalCluster;
import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.cli.cluster.ReplicaHeap;
import io.lockstep.cli.cluster.ReplicaProcess;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.RedisProxy;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocols;
import io.lockstep.server.MachineLoader;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep local}: a whole cluster on this machine, one OS process per replica, in the
 * foreground until Ctrl-C or SIGTERM. Restarting it on the same data directory
 * recovers the cluster's data: every replica recovers from its own log (X1, X2).
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    header = "Starts a local cluster, one OS process per replica.",
    description = {
        "Starts a local cluster: one OS process per replica on 127.0.0.1, replica i",
        "serving Redis clients on port P+i (peers on P+100+i, Java clients on P+200+i,",
        "HTTP: the live cluster page /, /metrics and /health on P+300+i). Writes",
        "DIR/cluster.properties, keeps a random shared secret in DIR/secret.hex (0600)",
        "and each replica's pid and logs in DIR/<id>/. Stays in the foreground; Ctrl-C",
        "stops the replicas cleanly.",
        "Run again on the same DIR to recover the data (with --failure-model byzantine",
        "too: pbft keeps its log, view and checkpoints on disk; not with the paper's own",
        "schemes, whose replicas refuse to start again on data they cannot use).",
        "--protocol logical-clock|real-time|replica-uid runs one of the paper's own",
        "ordering schemes instead of Raft: fail-stop, t+1 replicas (t = N-1), every",
        "replica orders, no leader; delay bounds widened for one machine.",
        "--failure-model byzantine --protocol replica-uid|real-time runs one of the",
        "paper's Byzantine schemes: 2t+1 replicas (default 3) with their own keys,",
        "signed agreement in 1100 ms rounds, and the voting Redis proxy on port P.",
        "--machine CLASS --classpath JAR runs your own state machine instead of a",
        "built-in service (checked here first, then loaded by every replica from JAR).",
        "Exit status: 0 after a clean stop, 1 if no leader was elected, 2 usage error."})
public final class LocalCommand implements Callable<Integer> {
  /** How long, after a leader is elected, to wait for replicas that do not answer yet. */
  private static final long STRAGGLER_GRACE_NANOS = 30_000_000_000L;

  @Spec CommandSpec spec;

  /** Set by the shutdown hook, so the foreground thread does not report a requested stop. */
  private volatile boolean stopping;

  @Option(names = "--replicas", paramLabel = "N",
      description = "Number of replicas; tolerates (N-1)/2 crashes, or (N-1)/3 lying replicas"
          + " with --failure-model byzantine (default 3, or 4 when Byzantine with pbft; 3"
          + " with replica-uid or real-time, which need 2t+1).")
  Integer replicasOption;

  @Option(names = "--spares", defaultValue = "0", paramLabel = "N",
      description = "Also start N spare replicas (ids and ports after the voters', listed as"
          + " replica.ID.role=spare): the configurator on the leader replaces a voter silent"
          + " past cluster.configurator.unreachable-ms with one; `lockstep member add` adds one"
          + " by hand. Fail-stop only (default ${DEFAULT-VALUE}).")
  int spares;

  @Option(names = "--configurator-unreachable-ms", paramLabel = "MS",
      description = "How long the leader lets a voter stay silent before the configurator"
          + " replaces it with a spare (milliseconds, or off; default 30000).")
  String configuratorBound;

  /** The replica count, once chosen from the options. */
  private int replicas;

  @Option(names = "--failure-model", defaultValue = "fail-stop", paramLabel = "MODEL",
      description = "fail-stop (Raft, the default) or byzantine: 3t+1 replicas of protocol "
          + LocalLayout.BYZANTINE_PROTOCOL + " (or 2t+1 of --protocol replica-uid or real-time)"
          + " with their own keys, and a voting Redis proxy on port P.")
  String failureModel;

  @Option(names = "--protocol", paramLabel = "NAME",
      description = "The coordination protocol (default raft, or pbft with --failure-model"
          + " byzantine): also logical-clock, real-time or replica-uid, the paper's own schemes.")
  String protocol;

  @Option(names = "--protocol-setting", paramLabel = "KEY=VALUE",
      description = "One of the protocol's settings (its key without the protocol's prefix),"
          + " written into the cluster file; repeatable. E.g. --protocol real-time"
          + " --protocol-setting test=I, or --protocol replica-uid --protocol-setting"
          + " variant=abcast.")
  java.util.Map<String, String> protocolSettings = new java.util.LinkedHashMap<>();

  @Option(names = "--base-port", defaultValue = "7000", paramLabel = "P",
      description = "Replica i serves Redis on P+i (default ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--data-dir", defaultValue = ClusterOptions.DEFAULT_DATA_DIR, paramLabel = "DIR",
      description = "Where config, secret, logs and snapshots live (default ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--service", paramLabel = "NAME",
      description = "kv (Redis-compatible store, the default) or lock (lock service with"
          + " time-outs); machine with --machine.")
  String service;

  @Option(names = "--machine", paramLabel = "CLASS",
      description = "Run this StateMachine class (public, public no-argument constructor).")
  String machine;

  @Option(names = "--classpath", paramLabel = "JAR[:JAR...]",
      description = "Jars or class directories holding --machine and what it needs.")
  String classpath;

  @Option(names = "--heap", paramLabel = "SIZE",
      description = "Maximum heap of each replica, e.g. 2g or 768m (default: an equal share of"
          + " half this machine's memory, 512m to 4g). A replica needs its state's size and a"
          + " margin.")
  String heap;

  @Option(names = "--wait", defaultValue = "60", paramLabel = "SECONDS",
      description = "How long to wait for a leader (default ${DEFAULT-VALUE} s).")
  int waitSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FailureModel model = parseFailureModel();
    if (!protocolAvailable(model)) {
      return 2;
    }
    replicas = replicasOption != null ? replicasOption
        : model == FailureModel.BYZANTINE && (protocol == null
            || protocol.equals(LocalLayout.BYZANTINE_PROTOCOL)) ? 4 : 3;
    Service chosen = parseService(service);
    Optional<String> machineSource = Optional.empty();
    if (chosen == Service.MACHINE) {
      try {
        // Loaded here first, so a wrong class or jar is one clear line now rather than every
        // replica process failing alike.
        machineSource = Optional.of(MachineLoader.load(machine, machineJars()).source());
      } catch (MachineLoader.MachineLoadException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return 2;
      }
    }
    LocalLayout layout = layout(chosen, model);
    ClusterConfig config = prepare(layout);
    long needed = ReplicaHeap.neededMib(config);
    ReplicaHeap replicaHeap = heap == null
        ? ReplicaHeap.defaultFor(replicas + spares, ReplicaHeap.totalMemory(), needed)
        : heap(spec, heap, replicas + spares);
    out.printf("Starting %d replicas%s in %s (config %s)%n", replicas,
        spares == 0 ? "" : " and " + spares + " spare" + (spares == 1 ? "" : "s"),
        layout.dataDir(), layout.configFile());
    machineSource.ifPresent(from -> out.printf("State machine %s from %s%n", machine, from));
    out.printf("Each replica's heap: -Xmx%s (change it with --heap SIZE, e.g. --heap 8g; the"
        + " store's memory bound and the in-memory log's budget need %d MiB)%n",
        replicaHeap.text(), needed);
    if (replicaHeap.mib() < needed) {
      out.printf("Warning: -Xmx%s is below the %d MiB those bounds need: a replica may run out"
          + " of memory once they fill; raise --heap, or lower redis.max-memory or"
          + " %s.max-log-bytes in %s%n", replicaHeap.text(), needed, config.protocol(),
          layout.configFile());
    }
    out.flush();
    LocalCluster cluster = LocalCluster.start(System.getProperty("java.class.path"),
        replicaHeap.jvmOptions(), replicaArgs(), LocalCluster.sameFile(
            config.members(), layout.configFile()), layout.dataDir(), line -> {
              out.println(line);
              out.flush();
            });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping = true;
      stop(cluster, out);
    }, "lockstep-local-stop"));
    cluster.ids().forEach(id -> out.printf("  replica %d: pid %d, log %s%s%n", id,
        cluster.replica(id).pid(), layout.replicaDir(id).resolve("replica.log"),
        !config.spares().contains(id) ? ""
            : config.failureModel() == FailureModel.BYZANTINE ? " (spare: joins when the"
                + " configurator or `lockstep member add|replace` orders it)"
            : " (spare: joins when the configurator or `lockstep member add` calls it)"));
    Optional<ReplicaHealth> leader = awaitReady(config, cluster, out);
    if (leader.isEmpty()) {
      return noLeader(cluster, layout, out);
    }
    printConnect(config, layout, leader.get(), out, machineJars());
    RedisProxy proxy = model == FailureModel.BYZANTINE ? startProxy(config, layout, out) : null;
    awaitAllExited(cluster);
    if (proxy != null) {
      proxy.close();
    }
    if (!stopping) {
      out.println("Every replica has exited; stopping.");
    }
    return stopping ? 0 : 1;
  }

  /** Byzantine needs protocol pbft in this build; says so clearly when it is missing. */
  private boolean protocolAvailable(FailureModel model) {
    if (model == FailureModel.FAIL_STOP
        || Protocols.find(LocalLayout.BYZANTINE_PROTOCOL).isPresent()) {
      return true;
    }
    spec.commandLine().getErr().println("--failure-model byzantine runs protocol "
        + LocalLayout.BYZANTINE_PROTOCOL + ", which this build does not have (registered"
        + " protocols: " + String.join(", ", Protocols.all().keySet()) + ")");
    return false;
  }

  private FailureModel parseFailureModel() {
    return FailureModel.named(failureModel).orElseThrow(() -> usage(
        "--failure-model must be fail-stop or byzantine, was '" + failureModel + "'"));
  }

  private LocalLayout layout(Service chosen, FailureModel model) {
    LocalLayout layout = new LocalLayout(dataDir, replicas, basePort, chosen, machine, model,
        spares, configuratorBound, protocol);
    try {
      layout.t(); // a protocol that cannot run this many replicas says so here
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    return layout;
  }

  /** Byzantine: a voting Redis proxy, so that unmodified Redis clients get checked answers. */
  private static RedisProxy startProxy(ClusterConfig config, LocalLayout layout,
      PrintWriter out) {
    RedisProxy proxy = RedisProxy.start(ClientIdentity.roundTimeouts(config, ClientOptions.fromConfig(config,
        LocalLayout.PROXY_CLIENT)), "127.0.0.1", layout.proxyPort(), null);
    int spares = config.spares().size();
    out.printf("Byzantine cluster (t=%d of %d replicas may lie%s). Connect Redis clients to the"
        + " voting proxy, not to a replica:%n", config.t(), config.voters().size(),
        spares == 0 ? "" : "; " + spares + " spare" + (spares == 1 ? "" : "s") + " waiting");
    out.printf("  redis-cli -p %d SET k v%n  redis-cli -p %d GET k%n", proxy.port(), proxy.port());
    out.printf("  (or run it yourself: lockstep proxy --config %s --port %d --client-id %s)%n",
        layout.configFile(), layout.proxyPort(), LocalLayout.PROXY_CLIENT);
    out.flush();
    return proxy;
  }

  private int noLeader(LocalCluster cluster, LocalLayout layout, PrintWriter out) {
    out.printf("Not ready (no leader, or a replica not healthy) after at most %d s; see the"
        + " replicas' logs in %s. Stopping.%n", waitSeconds, layout.dataDir());
    out.flush();
    cluster.close();
    return 1;
  }

  /** The heap chosen with {@code --heap}, or the default for this machine. */
  static ReplicaHeap heap(CommandSpec spec, String heap, int replicas) {
    if (heap == null) {
      return ReplicaHeap.defaultFor(replicas);
    }
    try {
      return ReplicaHeap.parse(heap);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--heap: "
          + e.getMessage());
    }
  }

  private ClusterConfig prepare(LocalLayout layout) throws java.io.IOException {
    try {
      ClusterConfig config = layout.prepare();
      if (protocolSettings.isEmpty()) {
        return config;
      }
      // Appended: a later line of a properties file wins, and the layout stays as generated.
      StringBuilder lines = new StringBuilder("# --protocol-setting\n");
      protocolSettings.forEach((key, value) -> lines.append(config.protocol()).append('.')
          .append(key).append('=').append(value).append('\n'));
      java.nio.file.Files.writeString(layout.configFile(), lines,
          java.nio.file.StandardOpenOption.APPEND);
      return ClusterConfig.load(layout.configFile());
    } catch (IllegalStateException | io.lockstep.server.config.ConfigException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private Service parseService(String name) {
    if (machine != null) {
      if (name != null && !name.equals("machine")) {
        throw usage("--machine runs your own state machine; drop --service " + name);
      }
      return Service.MACHINE;
    }
    if (classpath != null) {
      throw usage("--classpath goes with --machine CLASS");
    }
    return switch (name == null ? "kv" : name) {
      case "kv" -> Service.KV;
      case "lock" -> Service.LOCK;
      case "machine" -> throw usage("--service machine needs --machine CLASS --classpath JAR");
      default -> throw usage("--service must be kv or lock, was '" + name + "'");
    };
  }

  private picocli.CommandLine.ParameterException usage(String message) {
    return new picocli.CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** The --classpath entries, absolute (replica processes may resolve them elsewhere). */
  private List<Path> machineJars() {
    return MachineLoader.parseClasspath(classpath).stream().map(Path::toAbsolutePath).toList();
  }

  /** What every replica process is told besides its config and id. */
  private List<String> replicaArgs() {
    if (machine == null) {
      return List.of();
    }
    List<String> args = new java.util.ArrayList<>(List.of("--machine", machine));
    List<Path> jars = machineJars();
    if (!jars.isEmpty()) {
      args.add("--classpath");
      args.add(String.join(java.io.File.pathSeparator,
          jars.stream().map(Path::toString).toList()));
    }
    return args;
  }

  /**
   * Polls every replica's /health until one leads (or, for a protocol where every replica
   * orders, until every replica is healthy), printing progress; gives up early once every
   * replica process has exited (e.g. refused to start).
   */
  private Optional<ReplicaHealth> awaitReady(ClusterConfig config, LocalCluster cluster,
      PrintWriter out) throws InterruptedException {
    long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
    boolean leaderless = Protocols.named(config.protocol()).everyReplicaOrders();
    String last = "";
    long leaderSeen = -1;
    try (HealthProbe probe = new HealthProbe(config)) {
      while (System.nanoTime() < deadline && !allExited(cluster)) {
        List<ReplicaHealth> all = probe.all();
        Optional<ReplicaHealth> leader = leaderless
            ? all.stream().allMatch(ReplicaHealth::healthy) ? Optional.of(all.get(0))
                : Optional.empty()
            : HealthProbe.leader(all);
        long up = all.stream().filter(ReplicaHealth::reachable).count();
        if (leader.isPresent() && leaderSeen < 0) {
          leaderSeen = System.nanoTime();
        }
        // A leader needs only a majority: wait a little for the rest too, so that every port
        // the ready message names answers; a replica still down after that is named instead.
        if (leader.isPresent() && (up == all.size()
            || System.nanoTime() - leaderSeen > STRAGGLER_GRACE_NANOS)) {
          all.stream().filter(h -> !h.reachable()).forEach(h -> out.printf(
              "Replica %d does not answer yet; its ports may refuse connections until it"
                  + " does (see its replica.log).%n", h.id()));
          return leader;
        }
        String line = leader.isPresent()
            ? "Leader elected; waiting for the other replicas: " + up + "/" + all.size()
                + " answering"
            : "Waiting for a leader: " + up + "/" + all.size() + " replicas answering";
        if (!line.equals(last)) {
          out.println(line);
          out.flush();
          last = line;
        }
        Thread.sleep(250);
      }
    }
    return Optional.empty();
  }

  private static boolean allExited(LocalCluster cluster) {
    return cluster.ids().stream().noneMatch(id -> cluster.replica(id).process().isAlive());
  }

  private static void printConnect(ClusterConfig config, LocalLayout layout, ReplicaHealth leader,
      PrintWriter out, List<Path> machineJars) {
    if (Protocols.named(config.protocol()).everyReplicaOrders()) {
      boolean byzantine = config.failureModel() == FailureModel.BYZANTINE;
      out.printf("Cluster ready: protocol %s, every replica orders (no leader); it survives %d"
          + " of %d replicas %s.%n", config.protocol(), config.t(), config.members().size(),
          byzantine ? "lying or stopping (Byzantine)" : "stopping (fail-stop)");
    } else {
      out.printf("Cluster ready: replica %d leads (term %d).%n", leader.id(), leader.term());
    }
    List<ReplicaAddresses> rs = config.replicas();
    if (config.service() == Service.MACHINE) {
      MachineClients.print(config, layout.configFile(), machineJars, out);
    } else if (config.service() == Service.KV
        && config.failureModel() == FailureModel.BYZANTINE) {
      out.println("A replica's own Redis port answers with that replica's word only; the"
          + " voting proxy's address follows.");
    } else if (config.service() == Service.KV) {
      int first = rs.get(0).redis().getPort();
      int second = rs.get(rs.size() > 1 ? 1 : 0).redis().getPort();
      out.println("Connect with any Redis client, to any replica:");
      out.printf("  redis-cli -p %d SET k v%n", first);
      out.printf("  redis-cli -p %d GET k%n", second);
      out.printf("  redis-cli -p %d INFO%n", second);
    } else {
      out.println("Lock service (paper §5.2, locks with time-outs):");
      out.printf("  lockstep lock run my-lock --data-dir %s --hold 30s -- echo held%n",
          layout.dataDir());
      out.printf("  lockstep lock status my-lock --data-dir %s%n", layout.dataDir());
      out.println("  Java: io.lockstep.client.LockClient over the client ports "
          + rs.stream().map(r -> Integer.toString(r.client().getPort())).toList());
    }
    out.printf("Status: lockstep status --data-dir %s%n", layout.dataDir());
    out.printf("Live page: http://%s/ (any replica's HTTP port serves it)%n",
        ReplicaAddresses.text(rs.get(0).metrics()));
    out.printf("Metrics: curl http://%s/metrics%n", ReplicaAddresses.text(rs.get(0).metrics()));
    out.println("Press Ctrl-C to stop the cluster.");
    out.flush();
  }

  private static void awaitAllExited(LocalCluster cluster) {
    CompletableFuture.allOf(cluster.ids().stream()
        .map(id -> cluster.replica(id).process().onExit())
        .toArray(CompletableFuture[]::new)).join();
  }

  private void stop(LocalCluster cluster, PrintWriter out) {
    out.println("Stopping the replicas (SIGTERM, then SIGKILL after "
        + LocalCluster.GRACE_MILLIS / 1000 + " s)...");
    out.flush();
    cluster.close();
    for (int id : cluster.ids()) {
      ReplicaProcess p = cluster.replica(id);
      out.printf("  replica %d (pid %d) exited with code %d%n", id, p.pid(),
          p.process().exitValue());
    }
    out.flush();
  }
}
