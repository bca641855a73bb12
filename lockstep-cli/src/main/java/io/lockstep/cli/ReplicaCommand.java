package io.lockstep.cli;

import io.lockstep.server.JoinFile;
import io.lockstep.server.LockstepReplica;
import io.lockstep.server.MachineLoader;
import io.lockstep.server.ReplicaMain;
import io.lockstep.server.ReplicaServer;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.storage.CorruptStorageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep replica --config FILE --id N [--join] [--machine CLASS --classpath JARS]}:
 * runs one replica in the foreground, as {@link ReplicaMain} does, until SIGTERM or Ctrl-C. The
 * state machine is the config's: the built-in one of {@code kv} or {@code lock}, or the user's
 * class of {@code cluster.machine}, loaded from {@code --classpath} by {@link MachineLoader}.
 * With {@code --join}, FILE is a small join file: the cluster's settings, this replica and one
 * or more running replicas, which are asked where the others are ({@link JoinFile}).
 */
@Command(
    name = "replica",
    mixinStandardHelpOptions = true,
    header = "Runs one replica of a cluster in the foreground.",
    description = {
        "Runs one replica of the cluster described by FILE in the foreground. Writes",
        "its PID to <data-dir>/<id>/pid and its log to <data-dir>/<id>/replica.log.",
        "Stops cleanly (flushing its log) on SIGTERM or Ctrl-C.",
        "With --join, FILE is a small join file naming this replica and at least one",
        "running replica (a seed); the seed's address book (every replica's addresses",
        "and keys, and the initial configuration) is merged in at start. Byzantine: the file",
        "names t+1 seeds with their public keys and this replica's private key file, and t+1",
        "seeds must give the same address book.",
        "With cluster.service=machine, the state machine is the config's cluster.machine",
        "class, loaded from --classpath; --machine, if given, must name that class.",
        "Exit status: 0 clean stop (143 when stopped by SIGTERM, as for any JVM),",
        "2 bad arguments, config or machine class, 3 corrupt storage, a",
        "port in use or no seed answered (--join), 70 the replica stopped itself",
        "(failed fsync, broken invariant)."})
public final class ReplicaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The cluster config file (see sample-cluster.properties).")
  Path config;

  @Option(names = "--id", required = true, paramLabel = "N",
      description = "Which replica of the config this process is.")
  int id;

  @Option(names = "--join",
      description = "FILE is a small join file: ask the running replicas it names where the"
          + " others are (record this replica first with `lockstep member add`).")
  boolean join;

  @Option(names = "--join-timeout", defaultValue = "120", paramLabel = "SECONDS",
      description = "With --join: how long to keep asking until a seed answers and lists this"
          + " replica (default ${DEFAULT-VALUE}).")
  int joinTimeoutSeconds;

  @Option(names = "--machine", paramLabel = "CLASS",
      description = "The state machine class; must be the config's cluster.machine (a replica"
          + " started with another machine is refused).")
  String machine;

  @Option(names = "--classpath", paramLabel = "JAR[:JAR...]",
      description = "Jars or class directories holding the machine class and what it needs.")
  String classpath;

  /** The cluster as a seed of the join file knows it, this replica's own entry included. */
  private ClusterConfig joined()
      throws ConfigException, IOException, InterruptedException {
    JoinFile.Joined joined = JoinFile.load(config, id, Duration.ofSeconds(joinTimeoutSeconds));
    spec.commandLine().getOut().printf("replica %d joins with replica %d's address book:"
        + " voters at start %s, replicas %s%n", id, joined.seed(), joined.config().voters(),
        joined.config().members());
    spec.commandLine().getOut().flush();
    return joined.config();
  }

  private LockstepReplica.Builder builder(ClusterConfig cluster) {
    LockstepReplica.Builder builder = LockstepReplica.builder().config(cluster).id(id)
        .classpath(MachineLoader.parseClasspath(classpath)).processFiles(true);
    return machine == null ? builder : builder.machineClass(machine);
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig cluster;
    try {
      cluster = join ? joined() : new ClusterOptions().withConfig(config).load();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println(e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("replica " + id + " cannot join: " + e.getMessage());
      return 3;
    }
    if (cluster.replica(id).isEmpty()) {
      err.println("replica " + id + " is not in " + config + "; replicas are " + cluster.members());
      return 2;
    }
    ReplicaServer server;
    try {
      server = builder(cluster).start();
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    } catch (ConfigException e) {
      throw new AssertionError("a ClusterConfig given as an object is never re-read", e);
    } catch (CorruptStorageException e) {
      err.println("replica " + id + " refuses to start, its storage is corrupt: " + e.getMessage());
      return 3;
    } catch (IOException e) {
      err.println("replica " + id + " cannot start: " + e.getMessage());
      return 3;
    }
    spec.commandLine().getOut().printf("replica %d running (pid %d); Ctrl-C stops it%n", id,
        ProcessHandle.current().pid());
    spec.commandLine().getOut().flush();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "lockstep-replica-stop"));
    server.awaitTermination();
    return server.failure().isPresent() ? 70 : 0;
  }
}
