package io.lockstep.cli;

import io.lockstep.client.AdminClient;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.MemberClient;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.server.config.KeyFiles;
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
 *
 * <p>{@code add} and {@code replace} take the added machine's addresses ({@code --peer},
 * {@code --client}, optionally {@code --http}, {@code --redis}, {@code --key}): they are first
 * ordered as replicated state ({@link SystemCommand.SetMember}), so that the replicas dial
 * the machine and clients find it although no cluster file names it, and then the membership
 * change is sent.
 *
 * <p>A Byzantine cluster's replica set changes by an ordered {@code SetReplicas} instead
 * ({@link MemberClient} chooses); the added machine's addresses and key are recorded the same
 * way first, so its key need not be in any replica's file.
 */
@Command(
    name = "member",
    mixinStandardHelpOptions = true,
    header = "Lists or changes which replicas vote (membership changes).",
    description = {
        "list                shows voters, learners (being caught up) and spares",
        "add ID              adds replica ID: caught up first, then it votes. ID is",
        "                    listed in the config file (e.g. replica.ID.role=spare), or",
        "                    named by --peer and --client (its addresses then become",
        "                    replicated state: no file is edited)",
        "remove ID           removes voter ID (the leader too: it hands leadership over)",
        "replace OLD NEW     adds NEW (with --peer/--client as for add), then removes OLD",
        "Sent to any replica and carried out by the leader; signed with the cluster",
        "secret of the config file. Refused, with the reason, while another change is in",
        "flight or when the voters that answer would no longer be a majority.",
        "A Byzantine cluster (pbft.replica-set=ordered) instead gets the whole new",
        "replica set as one signed, ordered command, sent to every replica; it is",
        "refused below 3t+1 replicas or with more than t joining or leaving, and",
        "takes effect one window of positions later (the command waits for it).",
        "A machine no file keys is added there with --peer, --client and --key.",
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

  @picocli.CommandLine.Option(names = "--peer", paramLabel = "HOST:PORT",
      description = "add/replace: where the added replica's peers connect to it")
  String peer;

  @picocli.CommandLine.Option(names = "--client", paramLabel = "HOST:PORT",
      description = "add/replace: where clients connect to the added replica")
  String clientAddress;

  @picocli.CommandLine.Option(names = "--http", paramLabel = "HOST:PORT", defaultValue = "",
      description = "add/replace: the added replica's HTTP port (health, metrics)")
  String http;

  @picocli.CommandLine.Option(names = "--redis", paramLabel = "HOST:PORT", defaultValue = "",
      description = "add/replace: the added replica's Redis port")
  String redis;

  @picocli.CommandLine.Option(names = "--key", paramLabel = "PUBLIC-KEY",
      description = "add/replace: the added replica's public key (base64, as in"
          + " replica.ID.public-key), required when replicas prove keys")
  String key;

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
    ClientOptions options = identity.operatorOptions(config, spec);
    MemberAddresses addresses = addresses(operation == MemberOperation.REPLACE ? other : replica);
    if (addresses != null && !addresses.hasKey()
        && config.failureModel() == io.lockstep.order.FailureModel.BYZANTINE) {
      // The replicas admit a joining replica only by a key they know: without one recorded,
      // the replica-set change that follows would be refused anyway.
      throw new ParameterException(spec.commandLine(), "a Byzantine cluster admits an added"
          + " replica by its key: give --key PUBLIC-KEY (its replica.ID.public-key line)");
    }
    if (addresses != null && !record(config, options, addresses, out)) {
      return 1;
    }
    try (MemberClient client = new MemberClient(config, options)) {
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

  /** The added replica's addresses from the options; null if none were given. */
  private MemberAddresses addresses(int added) {
    if (peer == null && clientAddress == null && key == null) {
      return null;
    }
    if (!action.equals("add") && !action.equals("replace")) {
      throw new ParameterException(spec.commandLine(), "--peer, --client and --key go with add"
          + " or replace only");
    }
    if (peer == null || clientAddress == null) {
      throw new ParameterException(spec.commandLine(), "an added replica's addresses need both"
          + " --peer and --client");
    }
    try {
      byte[] publicKey = key == null ? new byte[0] : KeyFiles.parsePublicKey(key).getEncoded();
      return new MemberAddresses(added, peer, clientAddress, http, redis, publicKey);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "replica " + added + ": "
          + e.getMessage());
    }
  }

  /**
   * Orders the added replica's addresses as replicated state before the membership change, so
   * that the leader can reach it when it catches it up. The same addresses recorded already
   * (a command run again) are fine.
   */
  private boolean record(ClusterConfig config, ClientOptions options, MemberAddresses addresses,
      PrintWriter out) throws InterruptedException {
    try (AdminClient admin = new AdminClient(config, options)) {
      AdminClient.Outcome outcome = admin.send(new SystemCommand.SetMember(addresses, 0),
          Duration.ofSeconds(timeoutSeconds));
      if (outcome.ok() || outcome.text().contains("'s addresses are already ")) {
        out.println("recorded " + addresses + (outcome.ok() ? " at position " + outcome.at()
            : " (already)"));
        out.flush();
        return true;
      }
      spec.commandLine().getErr().println("lockstep member " + action + ": recording the"
          + " addresses of replica " + addresses.replica() + " failed: " + outcome.text());
      return false;
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
