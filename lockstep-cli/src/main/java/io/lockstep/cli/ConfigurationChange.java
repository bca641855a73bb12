package io.lockstep.cli;

import io.lockstep.client.AdminClient;
import io.lockstep.client.LockstepException;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.PendingChange;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.server.config.ClusterConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What {@code lockstep client} and {@code lockstep device} share: the cluster file, the
 * client identity to connect with, the stated position and the time-out; sending one signed
 * system command or reading the configuration, and printing the outcome. Exit status: 0 done,
 * 1 refused or no answer, 2 usage error.
 */
public final class ConfigurationChange {
  @Option(names = "--at", paramLabel = "POSITION", defaultValue = "0",
      description = "The position at which the change takes effect (at least the replicas'"
          + " distance, 64 by default, after the command's own); 0, the default, lets the"
          + " replicas state it.")
  long at;

  @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
      description = "How long to wait for the answer (default ${DEFAULT-VALUE} s).")
  int timeoutSeconds;

  /**
   * Runs {@code action} ({@code list}, {@code add} or {@code remove}) for {@code name}.
   *
   * @param what "client" or "device", for messages
   * @param add builds the add command from the name and stated position
   * @param remove builds the remove command likewise
   * @param list prints the part of the configuration about clients or devices
   */
  int run(CommandSpec spec, ClusterOptions cluster, ClientIdentity identity, String what,
      String action, String name, BiFunction<String, Long, SystemCommand> add,
      BiFunction<String, Long, SystemCommand> remove,
      Function<ClusterConfiguration, String> list) throws InterruptedException {
    SystemCommand command = command(spec, what, action, name, add, remove);
    ClusterConfig config;
    try {
      config = cluster.load();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    try (AdminClient admin = new AdminClient(config,
        identity.operatorOptions(config, spec))) {
      if (command == null) {
        ClusterConfiguration now = admin.configuration(timeout);
        out.println(list.apply(now));
        out.println("configuration version " + now.version() + describePending(now, what));
        out.flush();
        return 0;
      }
      AdminClient.Outcome outcome = admin.send(command, timeout);
      if (!outcome.ok()) {
        err.println("lockstep " + what + " " + action + " " + name + ": " + outcome.text());
        return 1;
      }
      out.println(what + " " + name + " " + (action.equals("add") ? "added" : "removed")
          + ": takes effect at position " + outcome.at());
      out.flush();
      return 0;
    } catch (LockstepException e) {
      err.println("lockstep " + what + " " + action + ": " + e.getMessage());
      return 1;
    }
  }

  private SystemCommand command(CommandSpec spec, String what, String action, String name,
      BiFunction<String, Long, SystemCommand> add,
      BiFunction<String, Long, SystemCommand> remove) {
    if (at < 0) {
      throw new ParameterException(spec.commandLine(), "--at must not be negative, was " + at);
    }
    if (!java.util.List.of("list", "add", "remove").contains(action)) {
      throw new ParameterException(spec.commandLine(),
          "ACTION must be list, add or remove, was '" + action + "'");
    }
    boolean needsName = !action.equals("list");
    if (needsName != (name != null)) {
      throw new ParameterException(spec.commandLine(), what + " " + action
          + (needsName ? " needs the " + what + "'s name" : " takes no name"));
    }
    if (!needsName) {
      return null;
    }
    try {
      return action.equals("add") ? add.apply(name, at) : remove.apply(name, at);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static String describePending(ClusterConfiguration c, String what) {
    StringBuilder out = new StringBuilder();
    for (PendingChange p : c.pending()) {
      String change = p.command().getClass().getSimpleName();
      if (change.toLowerCase(java.util.Locale.ROOT).contains(what)) {
        out.append(out.length() == 0 ? "; pending: " : ", ").append(describe(p.command()))
            .append(" at ").append(p.at());
      }
    }
    return out.toString();
  }

  private static String describe(SystemCommand command) {
    if (command instanceof SystemCommand.AddClient c) {
      return "add client " + c.client();
    } else if (command instanceof SystemCommand.RemoveClient c) {
      return "remove client " + c.client();
    } else if (command instanceof SystemCommand.AddDevice d) {
      return "add device " + d.device();
    } else if (command instanceof SystemCommand.RemoveDevice d) {
      return "remove device " + d.device();
    }
    return command.toString();
  }
}
