package io.lockstep.net;

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
 */
public record ClientConfig(String cluster, String clientId, byte[] secret, NetOptions options) {
  public ClientConfig {
    Hello.checkName("cluster", cluster);
    Hello.checkName("clientId", clientId);
    Objects.requireNonNull(options, "options");
    if (secret != null) {
      PeerConfig.checkSecret("client secret", secret);
      secret = secret.clone();
    }
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
        && java.util.Arrays.equals(secret, c.secret) && options.equals(c.options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cluster, clientId, options);
  }

  @Override
  public String toString() {
    return "ClientConfig[cluster=" + cluster + ", clientId=" + clientId
        + (secret == null ? ", unauthenticated" : ", secret=(" + secret.length + " bytes)") + "]";
  }
}
