package io.lockstep.cli;

import io.lockstep.client.MemberClient;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep member list|add ID|remove ID|replace OLD NEW}: changes which replicas vote
 * (paper §7), one single-server change at a time. The command goes to any replica and is
 * carried out by the leader; it is signed with a key derived from the cluster secret in the
 * config file, so only an operator holding that file can change the configuration.
 */
@Command(
    name = "member",
    mixinStandardHelpOptions = true,
    header = "Lists or changes which replicas vote (membership changes).",
    description = {
        "list                shows voters, learners (being caught up) and spares",
        "add ID              adds replica ID (listed in the config file, e.g. as",
        "                    replica.ID.role=spare): caught up first, then it votes",
        "remove ID           removes voter ID (the leader too: it hands leadership over)",
        "replace OLD NEW     adds NEW, then removes OLD",
        "Sent to any replica and carried out by the leader; signed with the cluster",
        "secret of the config file. Refused, with the reason, while another change is in",
        "flight or when the voters that answer would no longer be a majority.",
        "Prints the resulting configuration. Exit status: 0 done, 1 refused or failed,",
        "2 usage error."})
public final class MemberCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @picocli.CommandLine.Option(names = "--timeout", defaultValue = "90", paramLabel = "SECONDS",
      description = "How long to wait for the answer (default ${DEFAULT-VALUE} s; an added"
          + " replica is caught up before it votes, which takes as long as its state needs).")
  int timeoutSeconds;

  @Parameters(index = "0", paramLabel = "ACTION", description = "list, add, remove or replace")
  String action;

  @Parameters(index = "1..*", paramLabel = "ID", arity = "0..2",
      description = "the replica ids the action needs")
  List<Integer> ids = List.of();

  @Override
  public Integer call() throws InterruptedException {
    MemberOperation operation = operation();
    ClusterConfig config;
    try {
      config = cluster.load();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    int replica = ids.isEmpty() ? -1 : ids.get(0);
    int other = ids.size() < 2 ? -1 : ids.get(1);
    PrintWriter out = spec.commandLine().getOut();
    try (MemberClient client = new MemberClient(config,
        identity.options(config, spec, "lockstep-operator"))) {
      MemberClient.Outcome outcome = client.send(operation, replica, other,
          Duration.ofSeconds(timeoutSeconds));
      if (outcome.ok()) {
        out.println(outcome.text());
        out.flush();
        return 0;
      }
      spec.commandLine().getErr().println("lockstep member " + action + ": " + outcome.text());
      return 1;
    }
  }

  private MemberOperation operation() {
    int needed = switch (action) {
      case "list" -> 0;
      case "add", "remove" -> 1;
      case "replace" -> 2;
      default -> throw new ParameterException(spec.commandLine(),
          "ACTION must be list, add, remove or replace, was '" + action + "'");
    };
    if (ids.size() != needed) {
      throw new ParameterException(spec.commandLine(), "member " + action + " needs "
          + needed + " replica id" + (needed == 1 ? "" : "s") + ", got " + ids.size());
    }
    return MemberOperation.valueOf(action.toUpperCase(java.util.Locale.ROOT));
  }
}
