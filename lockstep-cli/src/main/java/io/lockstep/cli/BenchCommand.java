package io.lockstep.cli;

import io.lockstep.bench.BenchResult;
import io.lockstep.bench.LoadGenerator;
import io.lockstep.bench.Workload;
import io.lockstep.bench.WorkloadArgs;
import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.LocalCluster;
import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.cli.cluster.ReplicaHeap;
import io.lockstep.client.ClientJournal;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.LockstepClient;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep bench}: closed-loop load on a running cluster (or a local one it starts)
 * through the Java client ({@link io.lockstep.client.KvClient}), reporting throughput and the
 * HdrHistogram latency distribution.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    header = "Measures throughput and latency of a kv cluster.",
    description = {
        "Drives a kv cluster with closed-loop clients through the Java client",
        "(io.lockstep.client.KvClient, client ports) and prints throughput and latency",
        "percentiles (p50, p99, p99.9). Fractions not given are 0; none given = all writes.",
        "Exit status: 0 done, 1 the cluster could not be reached, 2 usage error."})
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Option(names = "--local", description = "Start a local cluster for the run (in --data-dir,"
      + " default a new temporary directory) and stop it afterwards.")
  boolean local;

  @Option(names = "--replicas", defaultValue = "3", paramLabel = "N",
      description = "With --local: number of replicas (default ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--base-port", defaultValue = "7000", paramLabel = "P",
      description = "With --local: base port as in `lockstep local` (default ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--heap", paramLabel = "SIZE",
      description = "With --local: maximum heap of each replica, e.g. 2g (default as in"
          + " `lockstep local`).")
  String heap;

  @Option(names = "--clients", defaultValue = "32", paramLabel = "C",
      description = "Closed-loop clients (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--duration", defaultValue = "20s", paramLabel = "D",
      description = "Measured window, e.g. 20s, 500ms, 1m (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--warmup", defaultValue = "5s", paramLabel = "D",
      description = "Unmeasured warmup before the window (default ${DEFAULT-VALUE}).")
  String warmup;

  @Option(names = "--write", paramLabel = "F", description = "Fraction of writes (SET).")
  Double write;

  @Option(names = "--read", paramLabel = "F", description = "Fraction of linearizable reads.")
  Double read;

  @Option(names = "--cas", paramLabel = "F", description = "Fraction of compare-and-sets.")
  Double cas;

  @Option(names = "--value-size", defaultValue = "100", paramLabel = "BYTES",
      description = "Bytes per written value (default ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--keys", defaultValue = "10000", paramLabel = "N",
      description = "Distinct keys (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--journal-dir", paramLabel = "DIR",
      description = "Keep the load generator's own event journal here (each operation's"
          + " invocation, attempts, replies and outcome) for `lockstep timeline`: a DIR of the"
          + " form <data-dir>/<name>/journal is found by --data-dir, any other by"
          + " --client-journal. Off by default: it costs the client's CPU.")
  Path journalDir;

  @Option(names = "--transmitter", paramLabel = "MODE",
      description = "Byzantine replica-uid or real-time clusters: one-replica signs each request"
          + " with the client's key and hands it to one replica, resending through the"
          + " next when no answer comes; pbft clusters: relay hands each request to one"
          + " replica with a MAC per replica, which relays it; broadcast sends every"
          + " replica the request (default: relay for pbft, broadcast otherwise)")
  String transmitter;

  @Override
  public Integer call() throws Exception {
    Workload workload = workload();
    PrintWriter out = spec.commandLine().getOut();
    if (!local) {
      return run(load(), workload, out);
    }
    Path dir = cluster.dataDir != null ? cluster.dataDir
        : Files.createTempDirectory("lockstep-bench-");
    ClusterConfig config = new LocalLayout(dir, replicas, basePort, Service.KV).prepare();
    ReplicaHeap replicaHeap = LocalCommand.heap(spec, heap, replicas);
    out.printf("Starting a local %d-replica cluster in %s (heap -Xmx%s each; --heap SIZE"
        + " changes it)%n", replicas, dir, replicaHeap.text());
    out.flush();
    try (LocalCluster processes = LocalCluster.start(System.getProperty("java.class.path"),
        replicaHeap.jvmOptions(),
        LocalCluster.sameFile(config.members(), dir.resolve(LocalLayout.CONFIG_FILE)), dir,
        line -> {
          out.println(line);
          out.flush();
        })) {
      if (awaitLeader(config).isEmpty()) {
        out.println("No leader elected within 60 s; see the logs in " + dir);
        return 1;
      }
      return run(config, workload, out);
    }
  }

  private ClusterConfig load() {
    try {
      return cluster.load();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private Workload workload() {
    try {
      boolean none = write == null && read == null && cas == null;
      return new Workload(clients, WorkloadArgs.parseDuration(duration),
          WorkloadArgs.parseDuration(warmup), none ? 1.0 : orZero(write), orZero(read),
          orZero(cas), valueSize, keys);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static double orZero(Double fraction) {
    return fraction == null ? 0.0 : fraction;
  }

  private int run(ClusterConfig config, Workload workload, PrintWriter out)
      throws InterruptedException {
    if (config.service() != Service.KV) {
      throw new ParameterException(spec.commandLine(), "bench needs a kv cluster; "
          + "this one runs the " + config.service() + " service");
    }
    List<InetSocketAddress> ports = config.replicas().stream().map(ReplicaAddresses::client)
        .toList();
    // A cluster ordering in signed rounds answers after 2t+2 of them: attempts as the proxy's.
    ClientOptions options = ClientIdentity.roundTimeouts(config, ClientIdentity.withTransmitter(
        identity.options(config, spec, "lockstep-bench-" + java.util.UUID.randomUUID()),
        transmitter, config, spec));
    out.println("workload: " + workload.describe());
    out.println("target:   Java client (io.lockstep.client.KvClient) over client ports "
        + ports.stream().map(ReplicaAddresses::text).toList());
    out.flush();
    ClientJournal journal = journal(config);
    BenchResult result;
    try (KvClientTarget target = new KvClientTarget(LockstepClient.connect(options)
        .journal(journal))) {
      result = new LoadGenerator(target, workload, 1L, line -> {
        spec.commandLine().getErr().println(line);
        spec.commandLine().getErr().flush();
      }).run();
    }
    out.print(result.report());
    out.print(result.histogram());
    out.flush();
    return 0;
  }

  /** The client's journal in {@link #journalDir}, or none; a directory it cannot use is refused. */
  private ClientJournal journal(ClusterConfig config) {
    if (journalDir == null) {
      return ClientJournal.OFF;
    }
    try {
      return ClientJournal.start(journalDir, config.members(), config.journal());
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--journal-dir " + journalDir + ": "
          + e.getMessage());
    }
  }

  private static Optional<ReplicaHealth> awaitLeader(ClusterConfig config)
      throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    try (HealthProbe probe = new HealthProbe(config)) {
      while (System.nanoTime() < deadline) {
        Optional<ReplicaHealth> leader = HealthProbe.leader(probe.all());
        if (leader.isPresent()) {
          return leader;
        }
        Thread.sleep(250);
      }
    }
    return Optional.empty();
  }
}
