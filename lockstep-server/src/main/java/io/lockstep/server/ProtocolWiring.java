package io.lockstep.server;

import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.StateMachine;
import io.lockstep.order.Commuting;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.server.config.ClusterConfig;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a replica server tells its protocol about the replica and its state machine, and what
 * follows from the protocol's answer for the runtime's own checks.
 */
final class ProtocolWiring {
  private ProtocolWiring() {}

  /**
   * What the protocol is told about replica {@code id}: the file's voters, failure model and
   * settings, and which requests {@code machine} declares commuting (paper §3, S12), since a
   * protocol is created without seeing the machine and could not apply those early otherwise.
   */
  static ProtocolSetup setup(ClusterConfig config, int id, StateMachine machine, Signer signer) {
    return new ProtocolSetup(id, config.voters(), config.failureModel(), config.t(),
        config.protocolSettings(), signer).withCommuting(Commuting.declaredBy(machine))
        .withClientKeys(clientKeys(config));
  }

  /**
   * The cluster file's client keys (`client.ID.public-key`), for orders that take a request on
   * one replica's word when its client signed it. Only the file's keys: every replica reads the
   * same file, so every correct replica judges a signature alike; a key learnt later by one
   * replica (a joining machine's) is deliberately left out.
   */
  static ClientPublicKeys clientKeys(ClusterConfig config) {
    Map<ClientId, PublicKey> keys = new HashMap<>();
    config.keys().clientKeys().forEach((id, key) -> keys.put(ClientId.of(id), key));
    return ClientPublicKeys.ed25519(keys);
  }

  /**
   * Why replicas' checkpoint digests at equal positions cannot be compared, if they cannot: the
   * protocol applies requests the machine declares commuting in different orders at different
   * replicas, so their states between two such requests differ without anything being wrong.
   */
  static Optional<String> digestsIncomparable(Protocol protocol, ProtocolSetup setup,
      StateMachine machine) {
    if (setup.commuting() == Commuting.NOTHING || !protocol.appliesCommutingEarly(setup)) {
      return Optional.empty();
    }
    return Optional.of(protocol.name() + " applies requests that " + machine.getClass()
        .getSimpleName() + " declares commuting in different orders at different replicas,"
        + " so their digests at equal positions may differ without divergence");
  }
}
