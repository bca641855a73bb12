package io.lockstep.cli;

import io.lockstep.client.ClientOptions;
import io.lockstep.client.Transmitter;
import io.lockstep.server.config.ClusterConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --client-id ID} option of commands that act as a Java client of a cluster. A
 * cluster that authenticates each client ({@code client.<ID>.secret} in its config, X5) needs
 * it, and the secret is read from the same config; otherwise a fresh id is made up.
 */
public final class ClientIdentity {
  @Option(names = "--client-id", paramLabel = "ID",
      description = "Act as this client when the cluster authenticates each client"
          + " (client.ID.secret in its config, whose secret is used).")
  String clientId;

  /** True when the cluster authenticates each client, so requests go out as sessions of ID. */
  boolean perClient(ClusterConfig config) {
    return config.perClientAuthentication();
  }

  /**
   * Options to connect as this client: with its own secret, the shared one, or none.
   *
   * @param fallbackId the id to use when none is required and none was given
   * @throws ParameterException if the cluster needs an id and secret that were not given
   */
  ClientOptions options(ClusterConfig config, CommandSpec spec, String fallbackId) {
    if (config.failureModel() == io.lockstep.order.FailureModel.BYZANTINE && clientId == null
        && !config.keys().clientKeyFiles().containsKey(fallbackId)) {
      throw new ParameterException(spec.commandLine(), "this cluster is Byzantine: pass"
          + " --client-id with one of its keyed clients " + config.keys().clientKeys().keySet()
          + " (client.ID.public-key and client.ID.private-key-file, from `lockstep keys`)");
    }
    if (config.perClientAuthentication() && clientId == null) {
      throw new ParameterException(spec.commandLine(), "this cluster authenticates each"
          + " client: pass --client-id with one of " + config.clientSecrets().keySet());
    }
    try {
      return ClientOptions.fromConfig(config, clientId != null ? clientId : fallbackId);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), (clientId != null ? "--client-id: " : "")
          + e.getMessage());
    }
  }

  /**
   * {@code options} in the transmitter mode {@code mode} names ({@code --transmitter} of the
   * proxy and the bench; paper §3.1): a mode that cannot work with {@code config} is a
   * parameter error with the reason, before anything connects. No mode ({@code null}) keeps
   * the cluster's default ({@link Transmitter#defaultFor}).
   */
  static ClientOptions withTransmitter(ClientOptions options, String mode, ClusterConfig config,
      CommandSpec spec) {
    if (mode == null) {
      return options;
    }
    try {
      return options.withTransmitter(Transmitter.parse(mode), config);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--transmitter: " + e.getMessage());
    }
  }

  /**
   * A protocol that orders in rounds ({@code round-ms}: replica-uid and real-time under
   * Byzantine faults) answers a write after about 2t+2 rounds (real-time: t+1 and the wait for
   * the next round); the client's usual 500 ms attempt would resend it to every replica several
   * times meanwhile, and each copy travels again in the signed batches of every replica it
   * reaches. So the CLI's clients (both proxies, the bench) wait 2t+3 rounds per attempt, and
   * eight attempts in all (44 s with t = 1 and 1100 ms rounds).
   */
  static ClientOptions roundTimeouts(ClusterConfig config, ClientOptions options) {
    return roundTimeouts(config.protocolSettings().get("round-ms"), config.t(), options);
  }

  /** {@code options} with attempts of 2t+3 rounds of {@code roundMs}, if that is set. */
  static ClientOptions roundTimeouts(String roundMs, int t, ClientOptions options) {
    if (roundMs == null) {
      return options;
    }
    java.time.Duration attempt = java.time.Duration.ofMillis((2L * t + 3)
        * Long.parseLong(roundMs.trim()));
    return options.withTimeouts(attempt, attempt.multipliedBy(8));
  }

  /**
   * Options for an operator's command (membership, clients, devices). Without a cluster secret
   * the command is signed with an operator's own key, so the client must be one of
   * {@code cluster.operators} (the only one is taken when none is named).
   *
   * @throws ParameterException if the cluster has no secret and no operator was chosen
   */
  ClientOptions operatorOptions(ClusterConfig config, CommandSpec spec) {
    java.util.Set<String> operators = config.keys().operators();
    if (config.secret() != null) {
      return options(config, spec, "lockstep-operator");
    }
    String chosen = clientId != null ? clientId
        : operators.size() == 1 ? operators.iterator().next() : null;
    if (chosen == null || !operators.contains(chosen)
        || !config.keys().clientKeyFiles().containsKey(chosen)) {
      throw new ParameterException(spec.commandLine(), "cluster " + config.name() + " has no"
          + " cluster.secret, so operators sign with their own keys: pass --client-id with one"
          + " of cluster.operators " + operators + " whose client.ID.private-key-file this file"
          + " gives");
    }
    return options(config, spec, chosen); // clientId, if given, is chosen
  }
}
