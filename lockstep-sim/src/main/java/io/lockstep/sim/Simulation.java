package io.lockstep.sim;

import io.lockstep.check.History;
import io.lockstep.check.LinearizabilityChecker;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.raft.Raft;
import io.lockstep.order.raft.RaftConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The deterministic whole-cluster simulator (X7, in the style of TigerBeetle's
 * VOPR): replicas, clients, network, clocks and disks on one thread, driven by one discrete-event
 * queue, with all randomness split from one {@link SplittableRandom} seed. The same options and
 * seed replay the same run event for event; {@link SimResult#traceDigest()} proves it.
 *
 * <p>A run has two phases. In the fault phase, closed-loop clients drive a key-value workload
 * while the fault schedule crashes and restarts replicas, partitions the network, loses,
 * duplicates and delays messages, makes clocks jump and pauses replicas. Then every fault is
 * healed and every replica restarted, and each client must complete a few more operations within
 * a bound (liveness). Checkers run throughout: election safety, committed entries never change,
 * agreed time never decreases, state digests agree at equal positions, and at the end the client
 * history must be linearizable. The first violation ends the run with a one-line reason.
 */
public final class Simulation {
  /** State budget per key for the linearizability search; past it the verdict is unknown. */
  private static final long CHECKER_BUDGET = 5_000_000;

  private Simulation() {}

  /**
   * Entries a simulated replica keeps below its snapshot, as the server keeps 10,000 below its
   * 100,000-position snapshots: here a fifth of the default snapshot interval of 100.
   */
  private static final long COMPACTION_MARGIN = 20;

  /**
   * The Raft-class protocol (S11) as the replica server runs it: the leader's AppendEntries
   * overlap its own fsync (dissertation §10.2.1) and a compaction margin keeps recent entries
   * below each snapshot.
   */
  public static CoordinationFactory raft() {
    return (id, members, recovered, seed) -> new Raft(RaftConfig.defaults(id, members)
        .withParallelLeaderAppend(true).withCompactionMargin(COMPACTION_MARGIN), recovered, seed);
  }

  /**
   * Raft in its textbook configuration: the leader sends AppendEntries only after its own fsync,
   * and compacts its log right up to each snapshot.
   */
  public static CoordinationFactory raftSerialAppend() {
    return (id, members, recovered, seed) ->
        new Raft(RaftConfig.defaults(id, members), recovered, seed);
  }

  /** Runs one seed of the Raft cluster described by {@code options}. */
  public static SimResult run(SimOptions options, long seed) {
    return run(options, seed, raft());
  }

  /** Runs one seed with the protocol built by {@code factory}. */
  /**
   * The first failing seed among {@code from} to {@code from + seeds - 1}, as "seed N: why", or
   * empty: how a negative test shows the checkers catch a deliberately broken protocol (it
   * starts near the seed that caught it when last measured, so the default run stays cheap,
   * and goes on for a while so that a changed schedule still finds one).
   */
  public static java.util.Optional<String> firstFailure(SimOptions options,
      CoordinationFactory factory, long from, int seeds) {
    for (long seed = from; seed < from + seeds; seed++) {
      SimResult result = run(options, seed, factory);
      if (!result.ok()) {
        return java.util.Optional.of("seed " + seed + ": " + result.failure());
      }
    }
    return java.util.Optional.empty();
  }

  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory) {
    return run(options, seed, factory, Map.of());
  }

  /**
   * Runs one seed with the protocol built by {@code factory}, passing every message sent by a
   * replica in {@code interceptors} through its interceptor (a misbehaving replica).
   */
  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      Map<Integer, MessageInterceptor> interceptors) {
    return run(options, seed, factory, interceptors, RegisterService.exampleKvStore());
  }

  /**
   * Runs one seed of {@code service}'s state machine (your own key-value store, say) replicated
   * by the protocol {@code factory} builds; the clients' histories are checked against a
   * register per key.
   */
  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      RegisterService service) {
    return run(options, seed, factory, Map.of(), service);
  }

  /**
   * Runs one seed with the protocol built by {@code factory}, journaling its events into
   * {@code journal} for a timeline. The run itself (and its trace digest) is the same as without.
   */
  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      SimJournal journal) {
    Objects.requireNonNull(journal, "journal");
    return run(options, seed, factory, Map.of(), RegisterService.exampleKvStore(), journal);
  }

  /**
   * Runs one seed with the protocol built by {@code factory} and the misbehaving replicas
   * {@code interceptors}, journaling its events into {@code journal} for a timeline.
   */
  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      Map<Integer, MessageInterceptor> interceptors, SimJournal journal) {
    Objects.requireNonNull(journal, "journal");
    return run(options, seed, factory, interceptors, RegisterService.exampleKvStore(), journal);
  }

  /** The general form: protocol, misbehaving replicas and the service under test. */
  public static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      Map<Integer, MessageInterceptor> interceptors, RegisterService service) {
    return run(options, seed, factory, interceptors, service, null);
  }

  private static SimResult run(SimOptions options, long seed, CoordinationFactory factory,
      Map<Integer, MessageInterceptor> interceptors, RegisterService service,
      SimJournal journal) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(interceptors, "interceptors");
    Objects.requireNonNull(service, "service");
    if (!factory.failStop() && options.replicas() < 2 * options.t() + 1) {
      throw new IllegalArgumentException("need replicas >= 2t+1 with t >= 0 (crash faults), got"
          + " replicas=" + options.replicas() + " t=" + options.t());
    }
    for (Integer replica : interceptors.keySet()) {
      if (replica < 0 || replica >= options.replicas()) {
        throw new IllegalArgumentException("interceptor for replica " + replica
            + ", but replicas are 0.." + (options.replicas() - 1));
      }
    }
    try (Writer traceOut = openTrace(options.traceFile())) {
      Trace trace = new Trace(traceOut);
      trace.journal(journal);
      SimRun run = new SimRun(options, seed, factory, service, interceptors, trace);
      SimResult result = run.execute();
      writeHistory(options.historyDir(), seed, result.history());
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trace file " + options.traceFile(), e);
    }
  }

  private static Writer openTrace(Path file) throws IOException {
    return file == null ? null : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  private static void writeHistory(Path dir, long seed, History history) {
    if (dir == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      try (BufferedWriter out =
          Files.newBufferedWriter(dir.resolve(seed + ".jsonl"), StandardCharsets.UTF_8)) {
        history.writeJsonLines(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the history of seed " + seed + " to " + dir, e);
    }
  }

  /** Checks a finished run's history; returns a failure reason or null. */
  static String checkLinearizable(History history, boolean[] unknown) {
    LinearizabilityChecker.Result result = LinearizabilityChecker.check(history, CHECKER_BUDGET);
    if (result.unknown()) {
      unknown[0] = true;
      return null;
    }
    return result.linearizable() ? null : "linearizability: " + result.explanation();
  }
}
