package io.lockstep.cli;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.machine.ClientId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep client list|add ID|remove ID}: admits or removes a client (paper §7, S20:
 * clients are replicated state, changed by ordered commands that take effect at a stated
 * position). Signed with the cluster secret of the config file, so only an operator holding
 * that file can change who may use the cluster.
 */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    header = "Lists, admits or removes clients (ordered system commands).",
    description = {
        "list          shows admitted clients and removed ones with the position of removal",
        "add ID        admits client ID (again, if it was removed: it starts a new session)",
        "remove ID     removes client ID: from the stated position on its requests are",
        "              refused with a final error and its session is dropped",
        "Sent to any replica and ordered by the leader; signed with the cluster secret",
        "of the config file. Prints the position at which the change takes effect.",
        "Exit status: 0 done, 1 refused or failed, 2 usage error."})
public final class ClientCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Mixin ConfigurationChange change;

  @Parameters(index = "0", paramLabel = "ACTION", description = "list, add or remove")
  String action;

  @Parameters(index = "1", paramLabel = "ID", arity = "0..1", description = "the client id")
  String name;

  @Override
  public Integer call() throws InterruptedException {
    return change.run(spec, cluster, identity, "client", action, name,
        (id, at) -> new SystemCommand.AddClient(ClientId.of(id), at),
        (id, at) -> new SystemCommand.RemoveClient(ClientId.of(id), at),
        ClientCommand::list);
  }

  private static String list(ClusterConfiguration c) {
    StringBuilder out = new StringBuilder("admitted: ");
    out.append(c.clients().isEmpty() ? "every client not removed (none added by name)"
        : c.clients().toString());
    out.append(System.lineSeparator()).append("removed: ");
    if (c.removedClients().isEmpty()) {
      out.append("none");
    }
    c.removedClients().forEach((client, at) -> out.append(client).append(" at ").append(at)
        .append(' '));
    return out.toString().strip();
  }
}
