package io.lockstep.bench.ratis;

import io.lockstep.bench.BenchResult;
import io.lockstep.bench.LoadGenerator;
import io.lockstep.bench.Workload;
import io.lockstep.bench.WorkloadArgs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.ratis.client.RaftClient;

/**
 * Runs the peer benchmark: a 3-peer Apache Ratis cluster in this JVM under the closed-loop load
 * of {@link LoadGenerator}, printing the settings, the result table and the latency histogram.
 *
 * <p>Usage: {@code RatisBench [workload options] [--peers 3] [--dir DIR] [--raft-clients N]
 * [--async-flush] [--unsafe-flush] [--default-reads] [--log-metadata B] [--seed S]
 * [--no-histogram]}; see
 * {@link #USAGE}.
 */
public final class RatisBench {

  /** The options this main accepts. */
  public static final String USAGE = String.join(System.lineSeparator(),
      "usage: RatisBench [options]",
      WorkloadArgs.USAGE,
      "  --peers N          Ratis servers (default 3)",
      "  --dir DIR          parent of the storage directories (default: a new temp directory;",
      "                     it is deleted afterwards)",
      "  --raft-clients N   Ratis clients shared by the closed-loop clients (default: one each)",
      "  --async-flush      raft.server.log.async-flush.enabled=true (still fsyncs before ack)",
      "  --unsafe-flush     raft.server.log.unsafe-flush.enabled=true: acks BEFORE fsync,",
      "                     NOT durable; only to measure what fsync costs",
      "  --default-reads    raft.server.read.option=DEFAULT instead of LINEARIZABLE",
      "  --log-metadata B   raft.server.log.log-metadata.enabled (default false: Ratis's default",
      "                     true appends a commitIndex entry per commit, about doubling the",
      "                     fsyncs per write, which the safety of acknowledged writes does not need)",
      "  --seed S           seed of the key and operation choices (default 1)",
      "  --no-histogram     omit the percentile distribution");

  /** Parsed options other than the workload. */
  private record Settings(Workload workload, int peers, Path dir, int raftClients,
      boolean asyncFlush, boolean unsafeFlush, boolean linearizableReads, boolean logMetadata,
      long seed, boolean histogram) {}

  private RatisBench() {}

  /** Entry point; exits 2 on bad arguments, 1 on failure. */
  public static void main(String[] args) throws Exception {
    quietLogging();
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(USAGE);
      return;
    }
    Settings settings;
    try {
      settings = parse(Arrays.asList(args));
    } catch (IllegalArgumentException e) {
      System.err.println("RatisBench: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    int status = 0;
    try {
      run(settings, System.out);
    } catch (Exception | Error e) {
      e.printStackTrace();
      status = 1;
    }
    // Ratis leaves non-daemon threads behind after close; the benchmark is done either way.
    System.exit(status);
  }

  /**
   * Before any logger exists: Ratis logs through SLF4J; keep warnings, on stderr, but not the
   * life-cycle errors of peers connecting to peers that have not opened their port yet at start.
   * A {@code -D} on the command line wins.
   */
  private static void quietLogging() {
    String prefix = "org.slf4j.simpleLogger.";
    setIfAbsent(prefix + "defaultLogLevel", "warn");
    setIfAbsent(prefix + "log.org.apache.ratis.util.LifeCycle", "off");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static BenchResult run(Settings s, PrintStream out) throws Exception {
    RatisCluster.Options options = new RatisCluster.Options(
        s.peers(), s.dir(), s.asyncFlush(), s.unsafeFlush(), s.linearizableReads(),
        s.logMetadata());
    out.println("Apache Ratis 3.3.0, " + s.peers() + " peers in one JVM, Netty transport, "
        + "segmented log in " + s.dir());
    out.println("durability: unsafe-flush=" + s.unsafeFlush() + " async-flush=" + s.asyncFlush()
        + " force.sync.num=128 log-metadata=" + s.logMetadata() + " (" + (s.unsafeFlush() ? "NOT DURABLE: acks before fsync"
            : "fdatasync before every acknowledgement") + "), reads "
        + (s.linearizableReads() ? "LINEARIZABLE (read index)" : "DEFAULT (leader-local)"));
    out.println("workload: " + s.workload().describe() + ", " + s.raftClients() + " Raft clients");
    try (RatisCluster cluster = RatisCluster.start(options);
        RatisTarget target = new RatisTarget(clients(cluster, s.raftClients()))) {
      out.println("leader: " + cluster.leaderId());
      BenchResult result = new LoadGenerator(target, s.workload(), s.seed(), System.err::println)
          .run();
      out.print(result.report());
      if (s.histogram()) {
        out.print(result.histogram());
      }
      out.flush();
      return result;
    }
  }

  private static List<RaftClient> clients(RatisCluster cluster, int count) throws IOException {
    List<RaftClient> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clients.add(cluster.newClient());
    }
    return clients;
  }

  private static Settings parse(List<String> args) throws IOException {
    List<String> rest = new ArrayList<>();
    Workload workload = WorkloadArgs.parse(args, rest);
    int peers = 3;
    Path dir = null;
    int raftClients = workload.clients();
    boolean asyncFlush = false;
    boolean unsafeFlush = false;
    boolean linearizable = true;
    boolean logMetadata = false;
    long seed = 1;
    boolean histogram = true;
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      switch (arg) {
        case "--peers" -> peers = number(value(rest, ++i, arg), arg);
        case "--dir" -> dir = Path.of(value(rest, ++i, arg));
        case "--raft-clients" -> raftClients = number(value(rest, ++i, arg), arg);
        case "--seed" -> seed = number(value(rest, ++i, arg), arg);
        case "--async-flush" -> asyncFlush = true;
        case "--unsafe-flush" -> unsafeFlush = true;
        case "--default-reads" -> linearizable = false;
        case "--log-metadata" -> logMetadata = bool(value(rest, ++i, arg), arg);
        case "--no-histogram" -> histogram = false;
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    if (raftClients < 1) {
      throw new IllegalArgumentException("--raft-clients must be at least 1, got " + raftClients);
    }
    Path storage = dir == null ? Files.createTempDirectory("ratis-bench") : dir.resolve("ratis-bench");
    return new Settings(workload, peers, storage, raftClients, asyncFlush, unsafeFlush,
        linearizable, logMetadata, seed, histogram);
  }

  private static int number(String text, String option) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got '" + text + "'", e);
    }
  }

  private static boolean bool(String text, String option) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(
          option + " needs true or false, got '" + text + "'");
    };
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException("option " + option + " needs a value");
    }
    return args.get(i);
  }
}
