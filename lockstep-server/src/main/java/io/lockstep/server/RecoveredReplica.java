package io.lockstep.server;

import io.lockstep.configuration.ReplicaSetCheck;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Coordination;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.replica.Replica;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.storage.FileStorage;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Replica} rebuilt at start from what storage recovered — its executor
 * ({@link Replica#recover}) and its protocol's coordination ({@link Protocol#create}) — together
 * with what the protocol's setup decides for the runtime around it: the signer both verify
 * through, whether replica-set changes are ordered commands, the test misbehaviour and the
 * timing assumptions to watch.
 *
 * <p>Kept apart from {@link ReplicaServer} because it is the one place where the protocol is
 * asked about this replica, and it runs once, before the log, the loop or any port is started.
 *
 * @param replica the replica, ready for its loop
 * @param signer the signer the core verifies through, whose verdicts the signature intake fills
 * @param orderedReplicaSet the protocol's replica set is changed by ordered commands
 *     ({@link ReplicaSetCheck})
 * @param misbehaviour test only: what this replica lies with, if its cluster file says so
 * @param timing the protocol's timing assumptions, watched against the peers' clocks
 */
record RecoveredReplica(Replica replica, PreverifiedSigner signer, boolean orderedReplicaSet,
    TestMisbehaviour misbehaviour, AssumptionWatch timing) {

  /**
   * Rebuilds replica {@code id} from {@code recovered}; a protocol whose digests cannot be
   * compared turns {@code divergence} off.
   */
  static RecoveredReplica rebuild(ClusterConfig config, int id, StateMachine machine,
      Protocol protocol, ReplicaIdentity identity, FileStorage storage,
      DivergenceMonitor divergence, Recovered recovered) {
    ExecutorConfig executorConfig = ExecutorConfig.defaults(id)
        .withFailureModel(config.failureModel(), config.t());
    Executor executor = Replica.recover(machine, executorConfig, recovered);
    // The file's voters are only the initial configuration: the protocol recovers the newest
    // one from its snapshot and log (Raft: Membership.recover), so a restarted replica, or a
    // new leader, uses the configuration the cluster agreed on, whatever the file says.
    // The core verifies through this signer, and clients' request signatures through its
    // clientKeys(); SignatureIntake fills in the verdicts of both off the loop.
    PreverifiedSigner signer = new PreverifiedSigner(identity.signer(),
        ProtocolWiring.clientKeys(config), SignatureIntake.VERDICTS);
    // The settings the data directory was made with, where the file leaves them unset (a
    // protocol refuses here a file that contradicts them).
    ProtocolSetup setup = protocol.withRecordedSettings(
        ProtocolWiring.setup(config, id, machine, signer).withClientKeys(signer.clientKeys())
            .withSnapshotReceiver(storage.snapshotReceiver()), recovered);
    ProtocolWiring.digestsIncomparable(protocol, setup, machine)
        .ifPresent(divergence::disable);
    // Set before the protocol replays anything through the executor: every replica must judge
    // every replica-set change by the same rule (a protocol without one gives none).
    Optional<ReplicaSetCheck> check =
        protocol.replicaSetCheck(setup, Set.copyOf(config.members()));
    check.ifPresent(executor::replicaSetCheck);
    boolean orderedReplicaSet = check.isPresent();
    Coordination coordination = protocol.create(setup, recovered, new SecureRandom().nextLong());
    if (orderedReplicaSet && config.configuratorUnreachableMillis() > 0) {
      // The protocol orders its own replica-set changes: only it can run the configurator.
      coordination.replaceSilentVoters(config.spares(), config.configuratorUnreachableMillis());
    }
    TestMisbehaviour misbehaviour =
        new TestMisbehaviour(id, protocol.testBehaviour(setup).orElse(null));
    AssumptionWatch timing = new AssumptionWatch(id,
        config.members().stream().filter(m -> m != id).toList(),
        protocol.timingAssumptions(setup).orElse(null));
    Replica replica = new Replica(id, coordination, executor, config.snapshotInterval(),
        config.digestInterval());
    return new RecoveredReplica(replica, signer, orderedReplicaSet, misbehaviour, timing);
  }
}
