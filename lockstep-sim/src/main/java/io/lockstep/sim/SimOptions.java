package io.lockstep.sim;

import java.nio.file.Path;

/**
 * Everything that shapes one simulated run except its seed. Start from
 * {@link #defaults()} and change what you need with the {@code with…} methods.
 *
 * <p>A run has a fault phase of {@code faultPhaseMillis} simulated milliseconds, then a liveness
 * phase: every fault is healed, every replica restarted, and each client must complete
 * {@code livenessOpsPerClient} more operations, each within {@code livenessBoundMillis} of the
 * healing or of its invocation, whichever is later.
 *
 * @param replicas number of replicas: at least 2t+1, or t+1 for a fail-stop protocol
 *     ({@link CoordinationFactory#failStop()})
 * @param t number of replicas that may be crashed at once (the fault budget)
 * @param clients number of closed-loop clients
 * @param keys number of keys the workload touches
 * @param faultPhaseMillis simulated length of the phase with faults
 * @param livenessBoundMillis after healing, how long every client operation may take to complete
 * @param livenessOpsPerClient operations each client must complete after healing
 * @param faults what the fault phase injects
 * @param network normal network behaviour
 * @param clocks the replicas' clocks
 * @param disk the replicas' disks
 * @param requestTimeoutMillis how long a client waits for a reply before resending
 * @param opDeadlineMillis how long a client tries one operation (fault phase) before giving up
 * @param thinkMillis mean pause of a client between two operations
 * @param snapshotEvery replicas snapshot and compact every this many applied positions
 * @param digestEvery replicas record a state digest every this many applied positions
 * @param stepMicros how long one step keeps a replica's loop busy; inputs that arrive meanwhile
 *     are stepped together in one {@link io.lockstep.replica.Replica#stepAll} call, as the
 *     server's loop thread drains its queue (X3 batching)
 * @param historyDir directory for {@code <seed>.jsonl} client histories, or null
 * @param traceFile file for the text trace of the run, or null
 * @param membership the membership changes of the run ({@link MembershipPlan#NONE}: none)
 * @param configuration the clients and devices the run adds and removes
 *     ({@link ConfigurationPlan#NONE}: none)
 */
public record SimOptions(
    int replicas,
    int t,
    int clients,
    int keys,
    long faultPhaseMillis,
    long livenessBoundMillis,
    int livenessOpsPerClient,
    FaultRates faults,
    NetworkModel network,
    ClockModel clocks,
    DiskModel disk,
    long requestTimeoutMillis,
    long opDeadlineMillis,
    long thinkMillis,
    long snapshotEvery,
    long digestEvery,
    long stepMicros,
    Path historyDir,
    Path traceFile,
    MembershipPlan membership,
    ConfigurationPlan configuration) {

  public SimOptions {
    // t+1 is the least any protocol needs (fail-stop schemes, paper §2); a protocol that needs
    // 2t+1 (Raft) is held to it when the run starts (Simulation.run).
    if (t < 0 || replicas < t + 1) {
      throw new IllegalArgumentException(
          "need replicas >= t+1 with t >= 0, got replicas=" + replicas + " t=" + t);
    }
    requireAtLeast("clients", clients, 1);
    requireAtLeast("keys", keys, 1);
    requireAtLeast("faultPhaseMillis", faultPhaseMillis, 0);
    requireAtLeast("livenessBoundMillis", livenessBoundMillis, 1);
    requireAtLeast("livenessOpsPerClient", livenessOpsPerClient, 1);
    requireAtLeast("requestTimeoutMillis", requestTimeoutMillis, 1);
    requireAtLeast("opDeadlineMillis", opDeadlineMillis, requestTimeoutMillis);
    requireAtLeast("thinkMillis", thinkMillis, 0);
    requireAtLeast("snapshotEvery", snapshotEvery, 1);
    requireAtLeast("digestEvery", digestEvery, 1);
    requireAtLeast("stepMicros", stepMicros, 0);
    if (faults == null || network == null || clocks == null || disk == null
        || membership == null || configuration == null) {
      throw new IllegalArgumentException(
          "faults, network, clocks, disk, membership and configuration must not be null");
    }
  }

  private static void requireAtLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
    }
  }

  /**
   * Three replicas (t = 1), five clients on three keys, a 10 s fault phase with every kind of
   * fault, then a liveness phase of 3 operations per client within 10 s; a step keeps a
   * replica busy 50 µs, so inputs arriving meanwhile are stepped as one batch.
   */
  public static SimOptions defaults() {
    return new SimOptions(3, 1, 5, 3, 10_000, 10_000, 3, FaultRates.standard(), NetworkModel.lan(),
        ClockModel.unsynchronized(), DiskModel.ssd(), 400, 2_000, 10, 100, 20, 50, null, null,
        MembershipPlan.NONE, ConfigurationPlan.NONE);
  }

  /** {@code n} replicas tolerating {@code t = (n - 1) / 2} crashes. */
  public SimOptions withReplicas(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("replicas must be at least 1, was " + n);
    }
    return withReplicasAndT(n, (n - 1) / 2);
  }

  /** {@code n} replicas with the crash budget {@code t} (n at least 2t+1, or t+1 fail-stop). */
  public SimOptions withReplicasAndT(int n, int t) {
    return new SimOptions(n, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code clients}. */
  public SimOptions withClients(int clients) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code keys}. */
  public SimOptions withKeys(int keys) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code faultPhaseMillis}. */
  public SimOptions withFaultPhaseMillis(long faultPhaseMillis) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code livenessBoundMillis}. */
  public SimOptions withLivenessBoundMillis(long livenessBoundMillis) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code livenessOpsPerClient}. */
  public SimOptions withLivenessOpsPerClient(int livenessOpsPerClient) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code faults}. */
  public SimOptions withFaults(FaultRates faults) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code network}. */
  public SimOptions withNetwork(NetworkModel network) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code clocks}. */
  public SimOptions withClocks(ClockModel clocks) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code disk}. */
  public SimOptions withDisk(DiskModel disk) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code requestTimeoutMillis}. */
  public SimOptions withRequestTimeoutMillis(long requestTimeoutMillis) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code opDeadlineMillis}. */
  public SimOptions withOpDeadlineMillis(long opDeadlineMillis) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code thinkMillis}. */
  public SimOptions withThinkMillis(long thinkMillis) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code snapshotEvery}. */
  public SimOptions withSnapshotEvery(long snapshotEvery) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code digestEvery}. */
  public SimOptions withDigestEvery(long digestEvery) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code stepMicros} (0: only inputs arriving at one instant batch). */
  public SimOptions withStepMicros(long stepMicros) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code historyDir}. */
  public SimOptions withHistoryDir(Path historyDir) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code traceFile}. */
  public SimOptions withTraceFile(Path traceFile) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code membership} plan. */
  public SimOptions withMembership(MembershipPlan membership) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** A copy with another {@code configuration} plan. */
  public SimOptions withConfiguration(ConfigurationPlan configuration) {
    return new SimOptions(replicas, t, clients, keys, faultPhaseMillis, livenessBoundMillis,
        livenessOpsPerClient, faults, network, clocks, disk, requestTimeoutMillis,
        opDeadlineMillis, thinkMillis, snapshotEvery, digestEvery, stepMicros, historyDir,
        traceFile, membership, configuration);
  }

  /** Every replica the run starts: the initial voters and the spares. */
  public int nodes() {
    return replicas + membership.spares();
  }
}
