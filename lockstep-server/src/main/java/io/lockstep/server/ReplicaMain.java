package io.lockstep.server;

import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.FileHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Runs one replica: {@code ReplicaMain --config FILE --id N [--machine CLASS] [--classpath
 * JARS]}, through {@link LockstepReplica} like every other replica. {@code --classpath} (jars
 * or class directories, separated by the platform's path separator) holds the user's machine
 * class that the config's {@code cluster.machine} names; {@code --machine}, if given, must be
 * that class (a replica started for another machine is refused). Writes its PID to
 * {@code <data-dir>/<id>/pid} and its log lines (key=value) to {@code <data-dir>/<id>/replica.log}
 * as well as stderr; stops cleanly on SIGTERM / Ctrl-C. Exit codes: 0 after a clean stop, 2 for
 * bad arguments, configuration or machine class, 3 when storage is corrupt or a port cannot be bound, 70 when
 * the replica stopped itself (failed fsync, broken invariant).
 */
public final class ReplicaMain {
  static {
    // Before anything logs: keep replica.log open until the replica has said it stopped.
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", LastWordsLogManager.class.getName());
    }
  }

  private static final Set<String> OPTIONS =
      Set.of("--config", "--id", "--machine", "--classpath");

  private ReplicaMain() {}

  /**
   * Starts replica {@code id} of {@code config} in this JVM (for the CLI, which parses its own
   * arguments); block on {@link ReplicaServer#awaitTermination()}.
   */
  public static ReplicaServer start(ClusterConfig config, int id) throws IOException {
    return ReplicaServer.start(config, id);
  }

  /**
   * Starts replica {@code id} as a process of its own: creates its data directory, sends
   * this JVM's log lines (key=value) to {@code <data-dir>/<id>/replica.log}, writes the PID to
   * {@code <data-dir>/<id>/pid}, then starts the server.
   */
  public static ReplicaServer startProcess(ClusterConfig config, int id) throws IOException {
    prepareProcess(config, id);
    return ReplicaServer.start(config, id);
  }

  /** Creates replica {@code id}'s directory, sends the log there and writes the PID file. */
  static void prepareProcess(ClusterConfig config, int id) throws IOException {
    Path dir = config.dataDirOf(id);
    Files.createDirectories(dir);
    logToFile(dir.resolve("replica.log"));
    Files.writeString(dir.resolve("pid"), ProcessHandle.current().pid() + "\n",
        StandardCharsets.US_ASCII);
  }

  /** Entry point. */
  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args));
  }

  /** Runs a replica until it stops; returns the process exit code. */
  static int run(String[] args) throws InterruptedException {
    Map<String, String> options = options(args);
    Integer id = options == null ? null : parseId(options.get("--id"));
    if (options == null || !options.containsKey("--config") || id == null) {
      System.err.println("usage: ReplicaMain --config FILE --id N [--machine CLASS]"
          + " [--classpath JAR" + java.io.File.pathSeparator + "...]");
      return 2;
    }
    ClusterConfig config;
    try {
      config = ClusterConfig.load(Path.of(options.get("--config")));
    } catch (ConfigException | IOException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    LockstepReplica.Builder builder = LockstepReplica.builder().config(config).id(id)
        .classpath(MachineLoader.parseClasspath(options.get("--classpath"))).processFiles(true);
    if (options.containsKey("--machine")) {
      builder.machineClass(options.get("--machine"));
    }
    ReplicaServer server;
    try {
      server = builder.start();
    } catch (ConfigException e) {
      throw new AssertionError("a ClusterConfig given as an object is never re-read", e);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return failedAtStart(2);
    } catch (IOException e) {
      System.err.println("replica " + id + " cannot start: " + e.getMessage());
      return failedAtStart(3);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      LastWordsLogManager.stopped();
    }, "lockstep-shutdown"));
    server.awaitTermination();
    return server.failure().isPresent() ? 70 : 0;
  }

  /**
   * Exit code {@code code} of a replica refused or failed at start, perhaps after it logged
   * (its storage recovered, say). No shutdown hook will say it stopped, so this says it:
   * otherwise the log manager's wait at exit would hold the process for its whole bound, and
   * with it whoever waits for the refusal (a launcher whose replicas all refused).
   */
  private static int failedAtStart(int code) {
    LastWordsLogManager.stopped();
    return code;
  }

  /** The {@code --name value} pairs, or null if one is unknown or lacks its value. */
  private static Map<String, String> options(String[] args) {
    if (args.length % 2 != 0) {
      return null;
    }
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!OPTIONS.contains(args[i])) {
        return null;
      }
      out.put(args[i], args[i + 1]);
    }
    return out;
  }

  private static Integer parseId(String text) {
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void logToFile(Path path) throws IOException {
    System.setProperty("java.util.logging.SimpleFormatter.format",
        "%1$tFT%1$tT.%1$tLZ level=%4$s logger=%3$s %5$s%6$s%n");
    FileHandler handler = new FileHandler(path.toString(), true);
    handler.setFormatter(new SimpleFormatter());
    Logger.getLogger("").addHandler(handler);
  }
}
