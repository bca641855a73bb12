package io.lockstep.net;

import java.security.PrivateKey;
import java.util.Objects;

/**
 * What a {@link FrameClient} needs. Build with {@link #authenticated} or {@link #unauthenticated};
 * a client with a secret refuses a server that does not prove the same secret, so a server
 * configured without authentication cannot silently downgrade it.
 *
 * @param cluster the cluster's name
 * @param clientId this client's id (1–255 UTF-8 bytes, no control characters)
 * @param secret this client's secret, or null to connect without authentication
 * @param options tunables
 * @param privateKey this client's Ed25519 private key (key mode: it proves its id by signature
 *     and checks each server's key, see {@link FrameClient#connect(java.net.InetSocketAddress,
 *     String, java.security.PublicKey, FrameHandler)}), or null
 */
public record ClientConfig(String cluster, String clientId, byte[] secret, NetOptions options,
    PrivateKey privateKey) {
  public ClientConfig {
    Hello.checkName("cluster", cluster);
    Hello.checkName("clientId", clientId);
    Objects.requireNonNull(options, "options");
    if (secret != null) {
      PeerConfig.checkSecret("client secret", secret);
      secret = secret.clone();
    }
    if (secret != null && privateKey != null) {
      throw new IllegalArgumentException("a client proves a secret or a key, not both");
    }
  }

  /** A client with a secret, or none. */
  public ClientConfig(String cluster, String clientId, byte[] secret, NetOptions options) {
    this(cluster, clientId, secret, options, null);
  }

  /** A client that proves its own Ed25519 key and checks each server's. */
  public static ClientConfig keyed(String cluster, String clientId, PrivateKey privateKey,
      NetOptions options) {
    Objects.requireNonNull(privateKey, "privateKey");
    return new ClientConfig(cluster, clientId, null, options, privateKey);
  }

  /** A client that proves {@code secret} and MACs every frame. */
  public static ClientConfig authenticated(String cluster, String clientId, byte[] secret,
      NetOptions options) {
    Objects.requireNonNull(secret, "secret");
    return new ClientConfig(cluster, clientId, secret, options);
  }

  /** A client for servers configured with {@link ClientAuth#none()}. */
  public static ClientConfig unauthenticated(String cluster, String clientId, NetOptions options) {
    return new ClientConfig(cluster, clientId, null, options);
  }

  @Override
  public byte[] secret() {
    return secret == null ? null : secret.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientConfig c && cluster.equals(c.cluster) && clientId.equals(c.clientId)
        && java.util.Arrays.equals(secret, c.secret) && options.equals(c.options)
        && Objects.equals(privateKey, c.privateKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cluster, clientId, options);
  }

  @Override
  public String toString() {
    return "ClientConfig[cluster=" + cluster + ", clientId=" + clientId
        + (privateKey != null ? ", key" : secret == null ? ", unauthenticated"
            : ", secret=(" + secret.length + " bytes)") + "]";
  }
}
