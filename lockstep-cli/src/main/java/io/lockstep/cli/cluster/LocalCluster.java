package io.lockstep.cli.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A cluster of replica processes on this machine, one OS process per replica
 * ({@link ReplicaProcess}). Replica {@code id} reads {@code configFiles.get(id)} and its output
 * goes to {@code dataDir/<id>/console.log} (the replica itself also writes its structured log to
 * {@code replica.log} and its PID to {@code pid} there).
 *
 * <p>A replica that exits without being told to is reported through the event sink and not
 * restarted: under the fail-stop model the others keep serving while a majority is up (§2).
 */
public final class LocalCluster implements AutoCloseable {
  /** How long a replica gets to stop after SIGTERM before it is killed. */
  public static final long GRACE_MILLIS = 10_000;

  private final String classpath;
  private final List<String> jvmOptions;
  private final List<String> replicaArgs;
  private final Map<Integer, Path> configFiles;
  private final Path dataDir;
  private final Consumer<String> events;
  private final Map<Integer, ReplicaProcess> processes = new ConcurrentHashMap<>();
  private final Set<Long> expectedExits = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  private LocalCluster(String classpath, List<String> jvmOptions, List<String> replicaArgs,
      Map<Integer, Path> configFiles, Path dataDir, Consumer<String> events) {
    this.classpath = Objects.requireNonNull(classpath, "classpath");
    this.jvmOptions = List.copyOf(jvmOptions);
    this.replicaArgs = List.copyOf(replicaArgs);
    this.configFiles = new TreeMap<>(configFiles);
    this.dataDir = dataDir.toAbsolutePath();
    this.events = Objects.requireNonNull(events, "events");
    if (configFiles.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs at least one replica");
    }
  }

  /**
   * Starts one process per entry of {@code configFiles} (replica id → the config file it reads;
   * usually the same file for all).
   *
   * @param events receives one line per unexpected exit
   */
  public static LocalCluster start(String classpath, List<String> jvmOptions,
      Map<Integer, Path> configFiles, Path dataDir, Consumer<String> events) throws IOException {
    return start(classpath, jvmOptions, List.of(), configFiles, dataDir, events);
  }

  /**
   * As {@link #start(String, List, Map, Path, Consumer)}, every replica (and every restart)
   * also getting {@code replicaArgs}, e.g. {@code --machine CLASS --classpath JARS}.
   */
  public static LocalCluster start(String classpath, List<String> jvmOptions,
      List<String> replicaArgs, Map<Integer, Path> configFiles, Path dataDir,
      Consumer<String> events) throws IOException {
    LocalCluster cluster = new LocalCluster(classpath, jvmOptions, replicaArgs, configFiles,
        dataDir, events);
    try {
      for (int id : cluster.configFiles.keySet()) {
        cluster.startReplica(id);
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The same config file for every replica id in {@code ids}. */
  public static Map<Integer, Path> sameFile(Iterable<Integer> ids, Path configFile) {
    Map<Integer, Path> files = new TreeMap<>();
    ids.forEach(id -> files.put(id, configFile));
    return files;
  }

  /** Starts replica {@code id} (again, after it stopped or was killed). */
  public ReplicaProcess startReplica(int id) throws IOException {
    Path config = configFiles.get(id);
    if (config == null) {
      throw new IllegalArgumentException("replica " + id + " is not in " + configFiles.keySet());
    }
    ReplicaProcess old = processes.get(id);
    if (old != null && old.isAlive()) {
      throw new IllegalStateException(old + " is still running");
    }
    ReplicaProcess p = ReplicaProcess.start(classpath, jvmOptions, config, id, replicaArgs,
        consoleLog(id));
    processes.put(id, p);
    p.process().onExit().thenAccept(exited -> {
      if (!closing && !expectedExits.contains(exited.pid())) {
        events.accept("replica " + id + " (pid " + exited.pid() + ") exited unexpectedly with"
            + " code " + exited.exitValue() + "; see " + consoleLog(id) + " and "
            + dataDir.resolve(id + "/replica.log") + ". The others keep serving.");
      }
    });
    return p;
  }

  /** Where replica {@code id}'s stdout and stderr go. */
  public Path consoleLog(int id) {
    return dataDir.resolve(Integer.toString(id)).resolve("console.log");
  }

  /** The replica ids, ascending. */
  public Set<Integer> ids() {
    return configFiles.keySet();
  }

  /** The current process of replica {@code id}. */
  public ReplicaProcess replica(int id) {
    ReplicaProcess p = processes.get(id);
    if (p == null) {
      throw new IllegalArgumentException("replica " + id + " was never started");
    }
    return p;
  }

  /** Kills replica {@code id} with SIGKILL (expected: not reported); returns its exit code. */
  public int kill(int id) throws InterruptedException {
    ReplicaProcess p = replica(id);
    expectedExits.add(p.pid());
    return p.kill();
  }

  /** Stops replica {@code id} with SIGTERM (expected: not reported); returns its exit code. */
  public int stop(int id) throws InterruptedException {
    ReplicaProcess p = replica(id);
    expectedExits.add(p.pid());
    return p.stop(GRACE_MILLIS);
  }

  /** Stops every replica: SIGTERM to all at once, then waits, then SIGKILL the stragglers. */
  @Override
  public void close() {
    closing = true;
    processes.values().forEach(p -> p.process().destroy());
    for (ReplicaProcess p : processes.values()) {
      try {
        p.stop(GRACE_MILLIS);
      } catch (InterruptedException e) {
        p.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
