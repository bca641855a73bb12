package io.lockstep.cli;

import io.lockstep.client.LockClient;
import io.lockstep.client.LockstepException;
import io.lockstep.client.RejectedException;
import io.lockstep.server.lock.LockService;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep lock run NAME --hold D [--wait W] -- COMMAND [ARGS...]}: runs a command while
 * holding a lock of the paper's lock service (§5.2), like {@code flock(1)} for a whole cluster.
 *
 * <p>The lock is released when the command exits, and on SIGINT/SIGTERM by a shutdown hook
 * that first stops the command: releasing while it still ran would let another holder in beside
 * it. The hold time is the lock's time-out: once it passes, the service hands the lock on even
 * though the command still runs (a holder that outlives B loses the lock). This command then
 * warns on stderr but does not kill the command.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    header = "Runs a command while holding a lock.",
    description = {
        "Runs COMMAND while holding lock NAME.",
        "",
        "Acquires NAME (waiting up to --wait, in FIFO order), runs COMMAND with this",
        "terminal's stdin, stdout and stderr, and releases NAME when COMMAND exits.",
        "Ctrl-C or SIGTERM stop COMMAND first, then release NAME.",
        "",
        "The lock times out --hold after it was granted: the service then hands it to",
        "the next waiter even if COMMAND still runs (a warning is printed; COMMAND is",
        "not killed), so choose a hold time longer than COMMAND can take.",
        "If --wait passes, the request is withdrawn from the queue before exiting.",
        "Put -- before COMMAND so that its options are not read as lockstep's.",
        "",
        "Exit status: COMMAND's own; 1 the lock could not be had (in time);",
        "2 usage error; 127 COMMAND could not be started."})
public final class LockRunCommand implements Callable<Integer> {
  /** Exit status when COMMAND cannot be started, as shells use for "command not found". */
  static final int CANNOT_RUN = 127;
  private static final long STOP_GRACE_SECONDS = 10;

  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Parameters(index = "0", paramLabel = "NAME", description = "The lock's name.")
  String name;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
      description = "The command and its arguments (after --).")
  List<String> command;

  @Option(names = "--hold", required = true, paramLabel = "D",
      description = "Longest time to hold the lock, e.g. 60s, 500ms, 2m (at most 24h):"
          + " the lock's time-out.")
  String hold;

  @Option(names = "--wait", defaultValue = "30s", paramLabel = "D",
      description = "Longest time to wait in the queue (default ${DEFAULT-VALUE}; 0 = only if"
          + " free now).")
  String wait;

  @Override
  public Integer call() throws InterruptedException {
    Duration holdTime = holdTime();
    Duration waitTime = LockCommand.duration(spec, "--wait", wait);
    PrintWriter err = spec.commandLine().getErr();
    try (LockCommand.Connection connection = LockCommand.connect(cluster, identity, spec)) {
      LockClient locks = connection.locks();
      // Ctrl-C while queued must not leave the request behind to be granted later.
      Thread withdraw = new Thread(() -> withdraw(locks), "lockstep-lock-withdraw");
      Runtime.getRuntime().addShutdownHook(withdraw);
      try {
        locks.acquire(name, holdTime, waitTime);
      } catch (IllegalArgumentException e) {
        removeHook(withdraw);
        throw new ParameterException(spec.commandLine(), e.getMessage());
      } catch (TimeoutException | LockstepException e) {
        removeHook(withdraw);
        err.println("lockstep lock run: could not acquire lock " + name + ": " + e.getMessage());
        err.flush();
        return 1;
      }
      return new Holding(locks, holdTime, err).run(withdraw);
    }
  }

  /** Best effort on the way out: takes a queued request back, or gives a fresh grant back. */
  private void withdraw(LockClient locks) {
    try {
      locks.release(name);
    } catch (LockstepException e) {
      // Neither queued nor holding, or the cluster is unreachable: nothing more can be done.
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutdown is under way: the hook runs (or ran).
    }
  }

  private Duration holdTime() {
    Duration d = LockCommand.duration(spec, "--hold", hold);
    if (d.compareTo(Duration.ofMillis(1)) < 0
        || d.compareTo(Duration.ofMillis(LockService.MAX_HOLD_MILLIS)) > 0) {
      throw new ParameterException(spec.commandLine(), "--hold must be 1ms to 24h, was " + hold);
    }
    return d;
  }

  /** The time between grant and release: the child process, the hook and the release. */
  private final class Holding {
    private final LockClient locks;
    private final Duration holdTime;
    private final PrintWriter err;
    private final long grantSeen = System.nanoTime();
    private boolean released;
    private volatile boolean holdPassed;
    private volatile Process child;

    Holding(LockClient locks, Duration holdTime, PrintWriter err) {
      this.locks = locks;
      this.holdTime = holdTime;
      this.err = err;
    }

    /** Runs the command; {@code withdraw} (the acquire's hook) gives way to this one's. */
    int run(Thread withdraw) throws InterruptedException {
      Thread hook = new Thread(this::onShutdown, "lockstep-lock-release");
      Runtime.getRuntime().addShutdownHook(hook);
      removeHook(withdraw);
      try {
        try {
          child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
          err.println("lockstep lock run: cannot run " + command.get(0) + ": " + e.getMessage());
          return CANNOT_RUN;
        }
        awaitChild();
        return child.exitValue();
      } finally {
        release();
        removeHook(hook);
      }
    }

    /** Waits for the child; warns once if the lock's time-out passes first (paper §5.2). */
    private void awaitChild() throws InterruptedException {
      long left = holdTime.toNanos() - (System.nanoTime() - grantSeen);
      if (!child.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        holdPassed = true;
        err.println("lockstep lock run: warning: the hold time of " + hold + " has passed and "
            + "the lock's time-out has handed lock " + name + " on; " + command.get(0)
            + " still runs but no longer holds it exclusively");
        err.flush();
        child.waitFor();
      }
    }

    /** SIGINT/SIGTERM: stop the command before releasing, so it never runs unlocked. */
    private void onShutdown() {
      Process p = child;
      if (p != null && p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
          if (!p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      release();
    }

    /** Releases once, whoever comes first (the main thread or the hook) and the other waits. */
    private synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      try {
        locks.release(name);
      } catch (RejectedException e) {
        if (!holdPassed) {
          err.println("lockstep lock run: lock " + name + " was no longer held at release: "
              + e.reason());
        }
      } catch (LockstepException e) {
        err.println("lockstep lock run: could not release lock " + name + " (it will be handed"
            + " on when its hold time passes): " + e.getMessage());
      }
      err.flush();
    }

  }
}
