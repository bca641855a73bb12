package io.lockstep.order;

import io.lockstep.identity.Signer;
import io.lockstep.request.ClientPublicKeys;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Protocol} needs to know to run one replica: who it is, who the others are, what
 * faults to tolerate, and its own settings.
 *
 * @param self this replica's id
 * @param members every replica's id, in increasing order
 * @param failureModel the failure model the cluster is configured for
 * @param t the number of faulty replicas to tolerate
 * @param settings the protocol's own settings, keys without the {@code <protocol>.} prefix;
 *     missing keys take the protocol's defaults
 * @param signer signs as this replica and verifies the others ({@link Signer#none} when the
 *     cluster has no keys; protocols that need signatures refuse to run without them)
 * @param snapshotReceiver where snapshots received from peers go as they arrive (a file in the
 *     real runtime; {@link SnapshotReceiver#inMemory} in the simulator)
 * @param commuting which requests the replica's state machine declares commuting (paper §3,
 *     S12), for protocols that may apply those without waiting for the order rule; {@link
 *     Commuting#NOTHING} unless the runtime was given the machine ({@link #withCommuting})
 * @param clientKeys the clients' public keys from the cluster file, the same at every replica,
 *     for protocols that take a request on one replica's word when its client signed it;
 *     {@link ClientPublicKeys#none} unless the runtime gave them ({@link #withClientKeys})
 */
public record ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
    Map<String, String> settings, Signer signer, SnapshotReceiver snapshotReceiver,
    Commuting commuting, ClientPublicKeys clientKeys) {
  public ProtocolSetup {
    Objects.requireNonNull(commuting, "commuting");
    Objects.requireNonNull(clientKeys, "clientKeys");
    members = List.copyOf(members);
    Objects.requireNonNull(failureModel, "failureModel");
    settings = Map.copyOf(settings);
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(snapshotReceiver, "snapshotReceiver");
    if (t < 0) {
      throw new IllegalArgumentException("t must not be negative, was " + t);
    }
  }

  /** A setup without client keys. */
  public ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
      Map<String, String> settings, Signer signer, SnapshotReceiver snapshotReceiver,
      Commuting commuting) {
    this(self, members, failureModel, t, settings, signer, snapshotReceiver, commuting,
        ClientPublicKeys.none());
  }

  /** A setup whose requests are all ordered (nothing declared commuting). */
  public ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
      Map<String, String> settings, Signer signer, SnapshotReceiver snapshotReceiver) {
    this(self, members, failureModel, t, settings, signer, snapshotReceiver, Commuting.NOTHING);
  }

  /** A setup that keeps received snapshots in memory. */
  public ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
      Map<String, String> settings, Signer signer) {
    this(self, members, failureModel, t, settings, signer, SnapshotReceiver.inMemory());
  }

  /** The same setup with received snapshots going to {@code receiver}. */
  public ProtocolSetup withSnapshotReceiver(SnapshotReceiver receiver) {
    return new ProtocolSetup(self, members, failureModel, t, settings, signer, receiver,
        commuting, clientKeys);
  }

  /** The same setup with the requests {@code declared} commuting. */
  public ProtocolSetup withCommuting(Commuting declared) {
    return new ProtocolSetup(self, members, failureModel, t, settings, signer, snapshotReceiver,
        declared, clientKeys);
  }

  /** The same setup with the protocol settings {@code values} (keys without the prefix). */
  public ProtocolSetup withSettings(Map<String, String> values) {
    return new ProtocolSetup(self, members, failureModel, t, values, signer, snapshotReceiver,
        commuting, clientKeys);
  }

  /** The same setup with the clients' public keys {@code keys}. */
  public ProtocolSetup withClientKeys(ClientPublicKeys keys) {
    return new ProtocolSetup(self, members, failureModel, t, settings, signer, snapshotReceiver,
        commuting, keys);
  }

  /** A setup without keys (crash-fault protocols need none). */
  public ProtocolSetup(int self, List<Integer> members, FailureModel failureModel, int t,
      Map<String, String> settings) {
    this(self, members, failureModel, t, settings, Signer.none(self));
  }
}
