package io.lockstep.server;

import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.FileHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Runs one replica: {@code ReplicaMain --config FILE --id N}. Writes its PID to
 * {@code <data-dir>/<id>/pid} and its log lines (key=value) to {@code <data-dir>/<id>/replica.log}
 * as well as stderr; stops cleanly on SIGTERM / Ctrl-C. Exit codes: 0 after a clean stop, 2 for
 * bad arguments or configuration, 3 when storage is corrupt or a port cannot be bound, 70 when
 * the replica stopped itself (failed fsync, broken invariant).
 */
public final class ReplicaMain {
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
    Path dir = config.dataDirOf(id);
    Files.createDirectories(dir);
    logToFile(dir.resolve("replica.log"));
    Files.writeString(dir.resolve("pid"), ProcessHandle.current().pid() + "\n",
        StandardCharsets.US_ASCII);
    return ReplicaServer.start(config, id);
  }

  /** Entry point. */
  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args));
  }

  /** Runs a replica until it stops; returns the process exit code. */
  static int run(String[] args) throws InterruptedException {
    Path file = null;
    Integer id = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--config" -> file = Path.of(args[i + 1]);
        case "--id" -> id = parseId(args[i + 1]);
        default -> { }
      }
    }
    if (file == null || id == null || args.length % 2 != 0) {
      System.err.println("usage: ReplicaMain --config FILE --id N");
      return 2;
    }
    ClusterConfig config;
    try {
      config = ClusterConfig.load(file);
    } catch (ConfigException | IOException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    ReplicaServer server;
    try {
      server = startProcess(config, id);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("replica " + id + " cannot start: " + e.getMessage());
      return 3;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "lockstep-shutdown"));
    server.awaitTermination();
    return server.failure().isPresent() ? 70 : 0;
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
