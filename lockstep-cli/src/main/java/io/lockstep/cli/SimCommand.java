package io.lockstep.cli;

import io.lockstep.order.FailureModel;
import io.lockstep.sim.CoordinationFactory;
import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimProtocol;
import io.lockstep.sim.SimProtocols;
import io.lockstep.sim.SimResult;
import io.lockstep.timeline.SimTimeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        "--protocol logical-clock|real-time|replica-uid|replica-uid-abcast runs one",
        "of the paper's own ordering schemes instead: fail-stop, t+1 replicas",
        "(t = N-1) whose crashes last, duplicated messages, clocks within 2 ms and",
        "delays of at least 3 ms. --failure-model byzantine --protocol",
        "real-time|replica-uid runs the paper's Byzantine variant: 2t+1 replicas,",
        "t of them lying as the seed picks.",
        "Exit status: 0 all seeds passed, 1 some seed failed, 2 usage error."})
public final class SimCommand implements Callable<Integer> {
  private static final int DEFAULT_SEEDS = 20;
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  /** Protocols of tests, run as raft is, besides the simulator's own. */
  private final Map<String, CoordinationFactory> extra;

  @Spec CommandSpec spec;

  @Option(names = "--protocol", defaultValue = "raft", paramLabel = "NAME",
      description = "Coordination protocol to simulate: raft (as the server runs it: the"
          + " leader's AppendEntries overlap its own fsync), raft-serial (textbook: only after"
          + " it), pbft (Byzantine, 3t+1 replicas; each seed makes one replica Byzantine in"
          + " one of its behaviours, with Byzantine clients that vote), or one of the paper's"
          + " schemes: logical-clock, real-time, replica-uid, replica-uid-abcast (the ABCAST"
          + " variant, replica-uid.variant=abcast in a cluster file).")
  String protocol;

  @Option(names = "--failure-model", paramLabel = "MODEL",
      description = "fail-stop or byzantine (default: the protocol's own, byzantine for pbft"
          + " and fail-stop for the others). byzantine with real-time or replica-uid runs the"
          + " paper's Byzantine variant: 2t+1 replicas, t of them lying in one of the order's"
          + " ways, as the seed picks; logical-clock, replica-uid-abcast and raft refuse it.")
  String failureModel;

  @Option(names = "--seeds", paramLabel = "N",
      description = "Run seeds 1..N (default " + DEFAULT_SEEDS + " unless --seed is given).")
  Integer seeds;

  @Option(names = "--seed", paramLabel = "S",
      description = "Run the single seed S and print its trace digest.")
  Long seed;

  @Option(names = "--replicas", paramLabel = "N",
      description = "Number of replicas; tolerates (N-1)/2 crashes, (N-1)/3 Byzantine"
          + " replicas for pbft, N-1 crashes for the paper's schemes and (N-1)/2 lying replicas"
          + " for their Byzantine variants (default: one fault, so raft 3, pbft 4, the paper's"
          + " schemes 2, their Byzantine variants 3).")
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

  /** The command with the protocols the simulator ships ({@link SimProtocols}). */
  public SimCommand() {
    this(Map.of());
  }

  /**
   * The command with more protocols under the given names, run as raft is (for tests'
   * deliberately broken factories).
   */
  SimCommand(Map<String, CoordinationFactory> extra) {
    this.extra = Map.copyOf(extra);
  }

  @Override
  public Integer call() {
    SimProtocol chosen = chosenProtocol();
    List<Long> toRun = seedsToRun();
    SimOptions options = options(chosen);
    long started = System.nanoTime();
    int failed = runAll(options, chosen, toRun, started);
    return failed == 0 ? 0 : 1;
  }

  /** The protocol and failure model asked for; a combination it does not tolerate says why. */
  private SimProtocol chosenProtocol() {
    FailureModel model = parseFailureModel();
    CoordinationFactory factory = extra.get(protocol);
    if (factory != null && model != FailureModel.BYZANTINE) {
      return SimProtocols.crashTolerant(factory);
    }
    try {
      return SimProtocols.named(protocol, model);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private FailureModel parseFailureModel() {
    if (failureModel == null) {
      return null;
    }
    return FailureModel.named(failureModel).orElseThrow(() -> usage(
        "--failure-model must be fail-stop or byzantine, was '" + failureModel + "'"));
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

  private SimOptions options(SimProtocol chosen) {
    int n = replicas == null ? chosen.defaultReplicas() : replicas;
    SimOptions base;
    try {
      base = chosen.options(n);
    } catch (IllegalArgumentException e) {
      throw usage("--replicas " + n + " with --protocol " + protocol + ": " + e.getMessage());
    }
    try {
      return base
          .withClients(clients)
          .withFaultPhaseMillis(faultMillis)
          .withHistoryDir(historyDir)
          .withTraceFile(traceFile);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private int runAll(SimOptions options, SimProtocol chosen, List<Long> toRun,
      long started) {
    int threads = Math.max(1, Math.min(Math.min(2, toRun.size()),
        Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (long s : toRun) {
        futures.add(pool.submit(() -> runOne(options, s, chosen)));
      }
      return report(futures, toRun, started);
    } finally {
      pool.shutdownNow();
    }
  }

  private Outcome runOne(SimOptions options, long seed, SimProtocol chosen) {
    try {
      SimProtocol.Seeded seeded = chosen.seeded(options, seed);
      if (timelineFile != null) {
        // The seed's own run, its liars included, so the page shows what the seed replays.
        SimTimeline.Run run = SimTimeline.run(options, seed, seeded.factory(), seeded.liars());
        run.timeline().write(timelineFile);
        spec.commandLine().getErr().println("timeline " + timelineFile + ": " + run.events()
            + " events" + (run.violation() == null ? "" : ", opens at the violation"));
        return Outcome.of(run.result());
      }
      return Outcome.of(seeded.run(options, seed));
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
  String replayCommand(long s) {
    StringBuilder command = new StringBuilder("./lockstep sim --protocol ").append(protocol);
    if (failureModel != null) {
      command.append(" --failure-model ").append(failureModel);
    }
    command.append(" --seed ").append(s);
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
