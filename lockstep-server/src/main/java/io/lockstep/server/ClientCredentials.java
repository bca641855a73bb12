package io.lockstep.server;

import io.lockstep.net.ClientAuth;
import io.lockstep.net.ClientConfig;
import io.lockstep.net.NetOptions;
import io.lockstep.server.config.ClusterConfig;
import java.util.Map;

/**
 * How the client port checks who connects (X5: no client authentication, one shared secret, or
 * one secret per client), and how this replica's forwarders prove themselves to the leader's
 * client port: with per-client secrets a replica's forwarder is a client too, with a secret
 * derived from the peers'.
 *
 * <p>Separate from {@link ReplicaServer} because both sides of the rule must agree — what the
 * port accepts and what a forwarder presents — and they read the same keys of the cluster
 * file; keeping them together keeps them in step.
 */
final class ClientCredentials {
  private ClientCredentials() {}

  /** What the client port of a replica of {@code config} accepts. */
  static ClientAuth clientAuth(ClusterConfig config) {
    if (config.perClientAuthentication()) {
      Map<String, byte[]> secrets = config.clientSecrets();
      for (int member : config.members()) {
        secrets.put(ClusterConfig.forwarderId(member), config.forwarderSecret(member));
      }
      return ClientAuth.perClient(secrets);
    }
    byte[] shared = config.clientSecret();
    return shared == null ? ClientAuth.none() : ClientAuth.shared(shared);
  }

  /** How replica {@code id}'s forwarder proves itself to the leader's client port. */
  static ClientConfig forwarderConfig(ClusterConfig config, int id, NetOptions net) {
    String forwarderId = ClusterConfig.forwarderId(id);
    byte[] secret = config.perClientAuthentication() ? config.forwarderSecret(id)
        : config.clientSecret();
    return secret == null ? ClientConfig.unauthenticated(config.name(), forwarderId, net)
        : ClientConfig.authenticated(config.name(), forwarderId, secret, net);
  }
}
