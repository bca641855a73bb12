package io.lockstep.cli;

import io.lockstep.bench.WorkloadArgs;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.ClientSession;
import io.lockstep.client.LockClient;
import io.lockstep.client.LockstepClient;
import io.lockstep.machine.ClientId;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.config.Service;
import java.time.Duration;
import java.util.UUID;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep lock}: the paper's lock service with time-outs (§5.2) from the shell, over the
 * Java client ({@link LockClient}). {@code run} holds a lock while a command runs;
 * {@code status} shows a lock's holder and queue.
 */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    header = "Holds locks of the lock service (paper §5.2).",
    description = {
        "Uses the lock service of a cluster started with --service lock.",
        "",
        "Paper §5.2: named locks, FIFO waiters, and every grant times out after the",
        "hold time its acquirer asked for.",
        "Exit status: 2 usage error; see each subcommand."},
    subcommands = {LockRunCommand.class, LockStatusCommand.class,
        CommandLine.HelpCommand.class})
public final class LockCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing subcommand: run or status"
        + " (see --help)");
  }

  /** A lock client and the connection it owns; closing closes both. */
  record Connection(LockClient locks, LockstepClient client) implements AutoCloseable {
    @Override
    public void close() {
      locks.close();
      client.close();
    }
  }

  /**
   * Loads the cluster config and connects a {@link LockClient} with a fresh session whose
   * client id names this process, so {@code lock status} shows who holds a lock. With per-client
   * authentication the session is {@code ID/lock-<pid>-<random>} under the given client id.
   *
   * @throws ParameterException if the config is missing or invalid, the cluster does not run
   *     the lock service, or it needs a client id that was not given
   */
  static Connection connect(ClusterOptions cluster, ClientIdentity identity, CommandSpec spec) {
    ClusterConfig config;
    try {
      config = cluster.load();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (config.service() != Service.LOCK) {
      throw new ParameterException(spec.commandLine(), "this cluster runs the "
          + config.service().name().toLowerCase(java.util.Locale.ROOT) + " service; lock needs"
          + " one started with --service lock (cluster.service=lock)");
    }
    String process = ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    ClientOptions options = identity.options(config, spec, "lockstep-lock-" + process);
    LockstepClient client = LockstepClient.connect(options);
    // Each process gets a session of its own whenever the client id may be shared: with
    // per-client secrets, and in a Byzantine cluster, where processes run as one keyed client.
    // As that client itself, the lock service could not tell two processes apart: the second
    // one's acquire would find its own id holding the lock and be told it holds it.
    boolean shared = identity.perClient(config)
        || config.failureModel() == io.lockstep.order.FailureModel.BYZANTINE;
    ClientSession session = shared
        ? client.newSession(ClientId.of(options.clientId().value() + "/lock-" + process))
        : client;
    return new Connection(new LockClient(session), client);
  }

  /** Parses a duration option such as {@code 500ms}, {@code 30s} or {@code 2m}; not negative. */
  static Duration duration(CommandSpec spec, String option, String text) {
    Duration d;
    try {
      d = WorkloadArgs.parseDuration(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
    if (d.isNegative()) {
      throw new ParameterException(spec.commandLine(), option + " must not be negative, was "
          + text);
    }
    return d;
  }
}
