package io.lockstep.cli.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One replica running in its own OS process ({@code java … io.lockstep.server.ReplicaMain
 * --config FILE --id N [more arguments, e.g. --classpath JARS]}), with its standard output and
 * error appended to a log file.
 *
 * <p>Separate processes are what make the fault model real (paper §2, fail-stop): a replica can
 * be killed with {@code SIGKILL}, paused with {@code SIGSTOP} or stopped with {@code SIGTERM}
 * without touching the others.
 */
public final class ReplicaProcess {
  /**
   * JVM options for a replica when nothing chose them: the smallest default heap of
   * {@link ReplicaHeap} and the serial collector; {@code lockstep local} sizes heaps itself.
   */
  public static final List<String> DEFAULT_JVM_OPTIONS =
      ReplicaHeap.parse(ReplicaHeap.MIN_DEFAULT_MIB + "m").jvmOptions();

  /**
   * The environment variable whose words are added to every replica JVM's options, after the
   * heap and collector, so they win: diagnostics such as {@code -XX:+PrintCompilation} or
   * {@code -Xlog:gc}, or a different compiler setting, without changing the launcher.
   */
  public static final String EXTRA_JVM_OPTIONS = "LOCKSTEP_REPLICA_JAVA_OPTS";

  private final int id;
  private final Path configFile;
  private final Path logFile;
  private final Process process;

  private ReplicaProcess(int id, Path configFile, Path logFile, Process process) {
    this.id = id;
    this.configFile = configFile;
    this.logFile = logFile;
    this.process = process;
  }

  /**
   * Starts replica {@code id}.
   *
   * @param classpath the classpath of the child JVM (must hold lockstep-server and its
   *     dependencies)
   * @param logFile where the child's stdout and stderr are appended
   */
  public static ReplicaProcess start(String classpath, Path configFile, int id, Path logFile)
      throws IOException {
    return start(classpath, DEFAULT_JVM_OPTIONS, configFile, id, logFile);
  }

  /** As {@link #start(String, Path, int, Path)} with chosen JVM options. */
  public static ReplicaProcess start(String classpath, List<String> jvmOptions, Path configFile,
      int id, Path logFile) throws IOException {
    return start(classpath, jvmOptions, configFile, id, List.of(), logFile);
  }

  /**
   * As {@link #start(String, List, Path, int, Path)}, passing {@code replicaArgs} on to
   * {@code ReplicaMain} (e.g. {@code --machine CLASS --classpath JARS} for a user's machine).
   */
  public static ReplicaProcess start(String classpath, List<String> jvmOptions, Path configFile,
      int id, List<String> replicaArgs, Path logFile) throws IOException {
    Objects.requireNonNull(classpath, "classpath");
    if (!Files.isRegularFile(configFile)) {
      throw new IllegalArgumentException("no config file at " + configFile);
    }
    Files.createDirectories(logFile.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.addAll(extraJvmOptions(System.getenv(EXTRA_JVM_OPTIONS)));
    command.addAll(List.of("-cp", classpath, "io.lockstep.server.ReplicaMain",
        "--config", configFile.toAbsolutePath().toString(), "--id", Integer.toString(id)));
    command.addAll(replicaArgs);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new ReplicaProcess(id, configFile, logFile, builder.start());
  }

  /** The words of {@code value} (options separated by white space; none if null or blank). */
  static List<String> extraJvmOptions(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return List.of(value.trim().split("\\s+"));
  }

  /** The java executable of this JVM, so children run the same Java version. */
  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public int id() {
    return id;
  }

  public long pid() {
    return process.pid();
  }

  public Path configFile() {
    return configFile;
  }

  public Path logFile() {
    return logFile;
  }

  /** The underlying process (for {@code onExit}). */
  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Graceful stop: {@code SIGTERM} (the replica's shutdown hook flushes its log and closes its
   * ports), then {@code SIGKILL} if it has not exited within {@code graceMillis}.
   *
   * @return the exit code
   */
  public int stop(long graceMillis) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
    }
    return process.waitFor();
  }

  /** Crash without warning: {@code SIGKILL}, as in the fail-stop model's crash. */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor();
  }

  /** Pauses the process ({@code SIGSTOP}); it keeps its sockets but answers nothing. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Resumes a paused process ({@code SIGCONT}). */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  /** Sends a signal with the {@code kill} command: the JDK offers only TERM and KILL. */
  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes());
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed: " + output.strip());
    }
  }

  @Override
  public String toString() {
    return "replica " + id + " (pid " + process.pid() + ")";
  }
}
