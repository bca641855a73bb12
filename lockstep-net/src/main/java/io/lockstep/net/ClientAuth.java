package io.lockstep.net;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How a {@link FrameServer} authenticates clients (X5, paper §5.2 defensive programming needs to
 * know who asks). Choose one explicitly:
 * <ul>
 *   <li>{@link #perClient}: each client id has its own secret; a leaked secret exposes one client
 *       and can be revoked alone. The recommended setting.
 *   <li>{@link #shared}: every client uses one secret and may claim any client id.
 *   <li>{@link #none}: no authentication; client ids are only declared, and frames carry no MAC.
 *       For development on a trusted machine, or behind an authenticating proxy.
 * </ul>
 */
public final class ClientAuth {
  private final boolean required;
  private final byte[] shared;
  private final Map<String, byte[]> perClient;

  private ClientAuth(boolean required, byte[] shared, Map<String, byte[]> perClient) {
    this.required = required;
    this.shared = shared;
    this.perClient = perClient;
  }

  /** No client authentication (explicitly chosen; client ids are only declared). */
  public static ClientAuth none() {
    return new ClientAuth(false, null, Map.of());
  }

  /** One secret shared by all clients (at least {@value PeerConfig#MIN_SECRET_BYTES} bytes). */
  public static ClientAuth shared(byte[] secret) {
    PeerConfig.checkSecret("client secret", secret);
    return new ClientAuth(true, secret.clone(), Map.of());
  }

  /** A secret per client id; clients not in the map are refused. */
  public static ClientAuth perClient(Map<String, byte[]> secrets) {
    Objects.requireNonNull(secrets, "secrets");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("perClient needs at least one client; use none() "
          + "to run without client authentication");
    }
    TreeMap<String, byte[]> copy = new TreeMap<>();
    secrets.forEach((id, secret) -> {
      Hello.checkName("client id", id);
      PeerConfig.checkSecret("secret of client '" + id + "'", secret);
      copy.put(id, secret.clone());
    });
    return new ClientAuth(true, null, Map.copyOf(copy));
  }

  /** Whether clients must prove a secret. */
  public boolean required() {
    return required;
  }

  /** The secret {@code clientId} must prove, or null when the client is unknown. */
  byte[] secretFor(String clientId) {
    if (shared != null) {
      return shared;
    }
    return perClient.get(clientId);
  }

  @Override
  public String toString() {
    if (!required) {
      return "ClientAuth[none]";
    }
    return shared != null ? "ClientAuth[shared]" : "ClientAuth[perClient " + perClient.keySet() + "]";
  }
}
