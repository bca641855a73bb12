package io.lockstep.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lockstep} command: one entry point for every tool of the project (X6).
 *
 * <p>Subcommands are small classes of their own; this class only registers them and maps
 * picocli's parse errors to exit code 2 so scripts can tell a usage mistake from a failed run.
 */
@Command(
    name = "lockstep",
    mixinStandardHelpOptions = true,
    version = "lockstep 0.1.0-SNAPSHOT",
    description = "Fault-tolerant services by state machine replication (Schneider 1990).",
    subcommands = {LocalCommand.class, ReplicaCommand.class, StatusCommand.class,
        BenchCommand.class, SimCommand.class, TimelineCommand.class, LockCommand.class,
        KeysCommand.class, ProxyCommand.class, MemberCommand.class, ClientCommand.class,
        DeviceCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit status (used by tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, before execution (tests capture its output). */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler((e, commandLine, parsed) -> {
          // A failed run (port in use, unreadable directory…) is reported in one line, not as a
          // stack trace; exit status 1 tells it apart from a usage error (2).
          commandLine.getErr().println("lockstep " + commandLine.getCommandName() + ": "
              + (e.getMessage() == null ? e.toString() : e.getMessage()));
          return 1;
        });
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (see --help)");
  }
}
