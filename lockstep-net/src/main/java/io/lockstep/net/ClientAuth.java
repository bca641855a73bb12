package io.lockstep.net;

import java.security.PublicKey;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

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
 * Any of these can be combined with {@link #withKeys}: clients listed there prove their own
 * Ed25519 key instead (and learn the server's), which is what a Byzantine-mode client needs to
 * count each replica's answer as that replica's vote.
 */
public final class ClientAuth {
  private final boolean required;
  private final byte[] shared;
  private final Map<String, byte[]> perClient;
  private final Map<String, PublicKey> keys;
  /** Keys looked up when a client connects (they may change while the server runs), or null. */
  private final Function<String, PublicKey> lateKeys;

  private ClientAuth(boolean required, byte[] shared, Map<String, byte[]> perClient,
      Map<String, PublicKey> keys, Function<String, PublicKey> lateKeys) {
    this.required = required;
    this.shared = shared;
    this.perClient = perClient;
    this.keys = keys;
    this.lateKeys = lateKeys;
  }

  private ClientAuth(boolean required, byte[] shared, Map<String, byte[]> perClient) {
    this(required, shared, perClient, Map.of(), null);
  }

  /**
   * The same, and also clients that prove an Ed25519 key: {@code clientKeys} by client id.
   * Clients that prove nothing are still served if this setting was none().
   */
  public ClientAuth withKeys(Map<String, PublicKey> clientKeys) {
    clientKeys.keySet().forEach(id -> Hello.checkName("client id", id));
    return new ClientAuth(required, shared, perClient, Map.copyOf(clientKeys), lateKeys);
  }

  /**
   * The same, and also clients whose key {@code lookup} returns when they connect (null: none).
   * For identities learnt while the server runs, such as a machine the replicated configuration
   * records; the fixed keys of {@link #withKeys} win for an id both know. {@code lookup} is
   * called on an I/O thread, so it must be safe from any thread.
   */
  public ClientAuth withLateKeys(Function<String, PublicKey> lookup) {
    return new ClientAuth(required, shared, perClient, keys, Objects.requireNonNull(lookup));
  }

  /** Whether some clients prove keys. */
  public boolean acceptsKeys() {
    return !keys.isEmpty() || lateKeys != null;
  }

  /** The auth modes a server with this setting accepts (a {@link Hello} mode set). */
  int modes() {
    if (!acceptsKeys()) {
      return required ? Hello.AUTH_SECRET : Hello.AUTH_NONE;
    }
    return Hello.AUTH_KEYS | (required ? Hello.AUTH_SECRET : Hello.AUTH_OPEN);
  }

  /** The public key {@code clientId} must prove, or null. */
  PublicKey keyFor(String clientId) {
    PublicKey key = keys.get(clientId);
    return key != null || lateKeys == null ? key : lateKeys.apply(clientId);
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

  /** Whether clients must prove a secret (or a key). */
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
    String keyed = (keys.isEmpty() ? "" : ", keys " + new TreeMap<>(keys).keySet())
        + (lateKeys == null ? "" : ", late keys");
    if (!required) {
      return "ClientAuth[none" + keyed + "]";
    }
    return (shared != null ? "ClientAuth[shared" : "ClientAuth[perClient " + perClient.keySet())
        + keyed + "]";
  }
}
