package io.lockstep.executor;

import io.lockstep.machine.Authorizer;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.InputMerger;
import io.lockstep.order.FailureModel;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How one replica's {@link Executor} behaves.
 *
 * @param replica this replica's id, written into every {@link io.lockstep.request.Reply}
 * @param failureModel decides how replicated clients' copies are matched (paper §5.1)
 * @param t the number of faulty components tolerated (paper §2)
 * @param maxSessions most clients remembered for exactly-once execution (X4); the least recently
 *     used session is evicted beyond it
 * @param maxPendingPerClient most out-of-order requests buffered per client for FIFO order (O1)
 *     and most logical requests of one replicated client being matched at once
 * @param authorizer per-client authorization run before every command (paper §5.2)
 * @param merger combines divergent copies from replicated clients (paper §5.1)
 * @param replicatedClients logical client → number of its client replicas (paper §5.1)
 * @param configurationDistance how many positions after its own a configuration change takes
 *     effect when it states no position (paper §7: "a stated future position"); every replica
 *     must use the same value, like every other field here
 */
public record ExecutorConfig(
    int replica,
    FailureModel failureModel,
    int t,
    int maxSessions,
    int maxPendingPerClient,
    Authorizer authorizer,
    InputMerger merger,
    Map<ClientId, Integer> replicatedClients,
    long configurationDistance) {

  /** Default {@link #configurationDistance()}: time for clients and devices to poll. */
  public static final long DEFAULT_CONFIGURATION_DISTANCE = 64;

  public ExecutorConfig {
    Objects.requireNonNull(failureModel, "failureModel");
    Objects.requireNonNull(authorizer, "authorizer");
    Objects.requireNonNull(merger, "merger");
    Objects.requireNonNull(replicatedClients, "replicatedClients");
    if (replica < 0) {
      throw new IllegalArgumentException("replica id must not be negative, was " + replica);
    }
    if (t < 0) {
      throw new IllegalArgumentException("t must not be negative, was " + t);
    }
    if (maxSessions < 1) {
      throw new IllegalArgumentException("maxSessions must be at least 1, was " + maxSessions);
    }
    if (maxPendingPerClient < 1) {
      throw new IllegalArgumentException(
          "maxPendingPerClient must be at least 1, was " + maxPendingPerClient);
    }
    if (configurationDistance < 1) {
      throw new IllegalArgumentException(
          "configurationDistance must be at least 1, was " + configurationDistance);
    }
    replicatedClients = validated(replicatedClients, failureModel, t);
  }

  /** A configuration with the default {@link #configurationDistance()}. */
  public ExecutorConfig(int replica, FailureModel failureModel, int t, int maxSessions,
      int maxPendingPerClient, Authorizer authorizer, InputMerger merger,
      Map<ClientId, Integer> replicatedClients) {
    this(replica, failureModel, t, maxSessions, maxPendingPerClient, authorizer, merger,
        replicatedClients, DEFAULT_CONFIGURATION_DISTANCE);
  }

  /** A copy with another {@link #configurationDistance()}. */
  public ExecutorConfig withConfigurationDistance(long distance) {
    return new ExecutorConfig(replica, failureModel, t, maxSessions, maxPendingPerClient,
        authorizer, merger, replicatedClients, distance);
  }

  /**
   * Fail-stop, t = 1, 10 000 sessions, 64 pending requests per client, every client allowed,
   * median merging, no replicated clients.
   */
  public static ExecutorConfig defaults(int replica) {
    return new ExecutorConfig(replica, FailureModel.FAIL_STOP, 1, 10_000, 64,
        Authorizer.ALLOW_ALL, Merge.median(), Map.of());
  }

  /** A copy with another failure model and t. */
  public ExecutorConfig withFailureModel(FailureModel model, int faults) {
    return new ExecutorConfig(replica, model, faults, maxSessions, maxPendingPerClient, authorizer,
        merger, replicatedClients, configurationDistance);
  }

  /** A copy with other session bounds. */
  public ExecutorConfig withLimits(int sessions, int pendingPerClient) {
    return new ExecutorConfig(replica, failureModel, t, sessions, pendingPerClient, authorizer,
        merger, replicatedClients, configurationDistance);
  }

  /** A copy with another authorizer. */
  public ExecutorConfig withAuthorizer(Authorizer newAuthorizer) {
    return new ExecutorConfig(replica, failureModel, t, maxSessions, maxPendingPerClient,
        newAuthorizer, merger, replicatedClients, configurationDistance);
  }

  /** A copy with other replicated clients and merger. */
  public ExecutorConfig withReplicatedClients(Map<ClientId, Integer> clients, InputMerger newMerger) {
    return new ExecutorConfig(replica, failureModel, t, maxSessions, maxPendingPerClient,
        authorizer, newMerger, clients, configurationDistance);
  }

  /**
   * Paper §5.1: a replicated client needs t+1 replicas under fail-stop (one survives) and 2t+1
   * under Byzantine (the t+1 matching copies can then always come from correct replicas).
   */
  private static Map<ClientId, Integer> validated(
      Map<ClientId, Integer> clients, FailureModel model, int t) {
    TreeMap<ClientId, Integer> sorted = new TreeMap<>();
    int needed = model == FailureModel.BYZANTINE ? 2 * t + 1 : t + 1;
    for (Map.Entry<ClientId, Integer> e : clients.entrySet()) {
      Objects.requireNonNull(e.getKey(), "replicated client id");
      Integer n = Objects.requireNonNull(e.getValue(), "replica count of " + e.getKey());
      if (n < needed) {
        throw new IllegalArgumentException("replicated client " + e.getKey() + " has " + n
            + " replicas; " + model + " with t=" + t + " needs at least " + needed);
      }
      sorted.put(e.getKey(), n);
    }
    return Collections.unmodifiableMap(sorted);
  }
}
