package io.lockstep.cli;

import io.lockstep.order.FailureModel;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.PbftSimulation;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import io.lockstep.timeline.SimTimeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep sim}: runs the deterministic cluster simulator (X7) over many seeds and
 * reports every failing seed with the command that replays it.
 *
 * <p>Each seed runs single-threaded and deterministically; up to two seeds run at once (one per
 * core of the machines this project targets). Results are reported in seed order, so the output
 * of a run is itself reproducible apart from the wall-clock figures.
 */
@Command(
    name = "sim",
    mixinStandardHelpOptions = true,
    header = "Runs the deterministic cluster simulator.",
    description = {
        "Runs the deterministic cluster simulator: replicas, clients, network,",
        "clocks and disks on one thread, with crashes, partitions, message loss",
        "and duplication, clock jumps and pauses, then a healed liveness phase.",
        "Checks linearizability, state digests, election safety, committed",
        "entries and agreed time. A seed replays a run exactly.",
        "Exit status: 0 all seeds passed, 1 some seed failed, 2 usage error."})
public final class SimCommand implements Callable<Integer> {
  private static final int DEFAULT_SEEDS = 20;
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  private final Map<String, CoordinationFactory> protocols;

  @Spec CommandSpec spec;

  @Option(names = "--protocol", defaultValue = "raft", paramLabel = "NAME",
      description = "Coordination protocol to simulate: raft (as the server runs it: the"
          + " leader's AppendEntries overlap its own fsync), raft-serial (textbook: only after"
          + " it) or pbft (Byzantine, 3t+1 replicas; each seed makes one replica Byzantine in"
          + " one of six ways, with Byzantine clients that vote).")
  String protocol;

  @Option(names = "--seeds", paramLabel = "N",
      description = "Run seeds 1..N (default " + DEFAULT_SEEDS + " unless --seed is given).")
  Integer seeds;

  @Option(names = "--seed", paramLabel = "S",
      description = "Run the single seed S and print its trace digest.")
  Long seed;

  @Option(names = "--replicas", paramLabel = "N",
      description = "Number of replicas; tolerates (N-1)/2 crashes, or (N-1)/3 Byzantine"
          + " replicas for pbft (default 3, pbft 4).")
  Integer replicas;

  @Option(names = "--clients", defaultValue = "5", paramLabel = "N",
      description = "Number of closed-loop clients (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--fault-ms", defaultValue = "10000", paramLabel = "MS",
      description = "Simulated length of the fault phase (default ${DEFAULT-VALUE}).")
  long faultMillis;

  @Option(names = "--history-dir", paramLabel = "DIR",
      description = "Write each seed's client history to DIR/<seed>.jsonl.")
  Path historyDir;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "With --seed: write the run's event trace to FILE.")
  Path traceFile;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "With --seed: write the run's timeline to FILE, one self-contained HTML"
          + " page (replicas, clients, messages, protocol events; opens at a violation).")
  Path timelineFile;

  @Option(names = "--verbose", description = "Print one line per seed, passed or failed.")
  boolean verbose;

  /** What is kept of one seed's run (the history is dropped to bound memory). */
  private record Outcome(long seed, boolean ok, String failure, String digest, int opsOk,
      int opsFailed, int opsInfo, long events, long simulatedMillis, boolean unknown) {
    static Outcome of(SimResult r) {
      return new Outcome(r.seed(), r.ok(), r.failure(), r.traceDigest(), r.opsOk(),
          r.opsFailed(), r.opsInfo(), r.events(), r.simulatedMillis(),
          r.linearizabilityUnknown());
    }

    int ops() {
      return opsOk + opsFailed + opsInfo;
    }
  }

  /**
   * The command with the protocols the simulator ships: raft (as the server runs it) and
   * raft-serial (the leader appends only after its own fsync).
   */
  public SimCommand() {
    this(Map.of("raft", Simulation.raft(), "raft-serial", Simulation.raftSerialAppend(),
        "pbft", PbftSimulation.factory()));
  }

  /** The command with other protocol factories under the given names (for tests). */
  SimCommand(Map<String, CoordinationFactory> protocols) {
    this.protocols = new TreeMap<>(protocols);
  }

  @Override
  public Integer call() {
    CoordinationFactory factory = protocols.get(protocol);
    if (factory == null) {
      throw usage("unknown protocol '" + protocol + "': the simulator supports "
          + String.join(", ", protocols.keySet()));
    }
    List<Long> toRun = seedsToRun();
    SimOptions options = options(factory.failureModel() == FailureModel.BYZANTINE);
    long started = System.nanoTime();
    int failed = runAll(options, factory, toRun, started);
    return failed == 0 ? 0 : 1;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private List<Long> seedsToRun() {
    if (seed != null && seeds != null) {
      throw usage("give either --seed or --seeds, not both");
    }
    if (traceFile != null && seed == null) {
      throw usage("--trace needs --seed (a trace is written for one run)");
    }
    if (timelineFile != null && seed == null) {
      throw usage("--timeline needs --seed (a timeline shows one run)");
    }
    if (seed != null) {
      return List.of(seed);
    }
    int count = seeds == null ? DEFAULT_SEEDS : seeds;
    if (count < 1) {
      throw usage("--seeds must be at least 1, was " + count);
    }
    List<Long> list = new ArrayList<>(count);
    for (long s = 1; s <= count; s++) {
      list.add(s);
    }
    return list;
  }

  private SimOptions options(boolean byzantine) {
    try {
      SimOptions base = byzantine ? PbftSimulation.options() : SimOptions.defaults();
      int n = replicas == null ? base.replicas() : replicas;
      return base
          .withReplicasAndT(n, byzantine ? (n - 1) / 3 : (n - 1) / 2)
          .withClients(clients)
          .withFaultPhaseMillis(faultMillis)
          .withHistoryDir(historyDir)
          .withTraceFile(traceFile);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private int runAll(SimOptions options, CoordinationFactory factory, List<Long> toRun,
      long started) {
    int threads = Math.max(1, Math.min(Math.min(2, toRun.size()),
        Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (long s : toRun) {
        futures.add(pool.submit(() -> runOne(options, s, factory)));
      }
      return report(futures, toRun, started);
    } finally {
      pool.shutdownNow();
    }
  }

  private Outcome runOne(SimOptions options, long seed, CoordinationFactory factory) {
    try {
      if (timelineFile != null) {
        SimTimeline.Run run = SimTimeline.run(options, seed, factory);
        run.timeline().write(timelineFile);
        spec.commandLine().getErr().println("timeline " + timelineFile + ": " + run.events()
            + " events" + (run.violation() == null ? "" : ", opens at the violation"));
        return Outcome.of(run.result());
      }
      return Outcome.of(factory.failureModel() == FailureModel.BYZANTINE
          ? PbftSimulation.runMixed(options, seed, factory)
          : Simulation.run(options, seed, factory));
    } catch (RuntimeException e) {
      return new Outcome(seed, false, "exception: " + e, "-", 0, 0, 0, 0, 0, false);
    }
  }

  private int report(List<Future<Outcome>> futures, List<Long> toRun, long started) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failed = 0;
    long ops = 0;
    long lastProgress = System.nanoTime();
    for (int i = 0; i < futures.size(); i++) {
      Outcome outcome = await(futures.get(i), toRun.get(i));
      failed += outcome.ok ? 0 : 1;
      ops += outcome.ops();
      printOutcome(out, outcome);
      if (System.nanoTime() - lastProgress > PROGRESS_NANOS && i + 1 < futures.size()) {
        lastProgress = System.nanoTime();
        err.printf(Locale.ROOT, "progress: %d/%d seeds, %d failed, %.1f s%n", i + 1,
            futures.size(), failed, seconds(started));
        err.flush();
      }
    }
    out.printf(Locale.ROOT, "summary: %d seeds, %d failed, %d ops, %.1f s%n", futures.size(),
        failed, ops, seconds(started));
    out.flush();
    return failed;
  }

  private static Outcome await(Future<Outcome> future, long seed) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      return new Outcome(seed, false, "exception: " + e.getCause(), "-", 0, 0, 0, 0, 0, false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for seed " + seed, e);
    }
  }

  private void printOutcome(PrintWriter out, Outcome o) {
    if (!o.ok) {
      out.println(
          "FAIL seed " + o.seed + ": " + o.failure + " — replay: " + replayCommand(o.seed));
    } else if (verbose || seed != null) {
      out.printf(Locale.ROOT, "ok seed %d: %d ops (%d ok, %d fail, %d info), %d events,"
              + " %d ms simulated%n", o.seed, o.ops(), o.opsOk, o.opsFailed, o.opsInfo,
          o.events, o.simulatedMillis);
    }
    if (o.unknown) {
      out.println("UNKNOWN seed " + o.seed + ": the linearizability search ran out of budget");
    }
    if (seed != null) {
      out.println("digest " + o.digest);
    }
    out.flush();
  }

  /** The command line that replays {@code s} with the same options. */
  private String replayCommand(long s) {
    StringBuilder command = new StringBuilder("./lockstep sim --protocol ").append(protocol)
        .append(" --seed ").append(s);
    if (replicas != null) {
      command.append(" --replicas ").append(replicas);
    }
    if (clients != 5) {
      command.append(" --clients ").append(clients);
    }
    if (faultMillis != 10_000) {
      command.append(" --fault-ms ").append(faultMillis);
    }
    return command.toString();
  }

  private static double seconds(long started) {
    return (System.nanoTime() - started) / 1e9;
  }
}
