package io.lockstep.configuration;

import java.util.Arrays;
import java.util.Objects;

/**
 * Where one replica can be reached, as replicated state (paper §7: "clients and devices learn
 * the current configuration"): recorded by the ordered {@link SystemCommand.SetMember} when an
 * operator adds a machine, so that the other replicas dial it and clients send to it without
 * any cluster file being edited or copied. Addresses are kept as {@code host:port} text, never
 * resolved here: resolving a name is I/O, and every replica must hold the same bytes.
 *
 * @param replica the replica's id
 * @param peer where the other replicas connect (the protocol's messages)
 * @param client where clients connect
 * @param http the HTTP port ({@code /health}, {@code /metrics}, the live page), or "" if none
 * @param redis the Redis-compatible port, or "" if none
 * @param publicKey the replica's Ed25519 public key (X.509 encoding), empty if the cluster
 *     authenticates replicas by its shared secret
 */
public record MemberAddresses(int replica, String peer, String client, String http,
    String redis, byte[] publicKey) {
  /** Longest {@code host:port} text accepted (a DNS name is at most 253 characters). */
  public static final int MAX_ADDRESS = 260;
  /** Longest public key accepted (an Ed25519 X.509 key is 44 bytes). */
  public static final int MAX_KEY = 256;

  public MemberAddresses {
    if (replica < 0) {
      throw new IllegalArgumentException("replica id must not be negative, was " + replica);
    }
    checkAddress("peer", peer, false);
    checkAddress("client", client, false);
    checkAddress("http", http, true);
    checkAddress("redis", redis, true);
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.length > MAX_KEY) {
      throw new IllegalArgumentException("public key of " + publicKey.length
          + " bytes, the limit is " + MAX_KEY);
    }
    publicKey = publicKey.clone();
  }

  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** True if a public key is recorded. */
  public boolean hasKey() {
    return publicKey.length > 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MemberAddresses m && replica == m.replica && peer.equals(m.peer)
        && client.equals(m.client) && http.equals(m.http) && redis.equals(m.redis)
        && Arrays.equals(publicKey, m.publicKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(replica, peer, client, http, redis) * 31 + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return "replica " + replica + " peer=" + peer + " client=" + client
        + (http.isEmpty() ? "" : " http=" + http) + (redis.isEmpty() ? "" : " redis=" + redis)
        + (hasKey() ? " key" : "");
  }

  /**
   * Checks {@code host:port}: a non-empty host without spaces or control characters and a
   * port from 1 to 65535 ({@code [v6-address]:port} for IPv6).
   *
   * @throws IllegalArgumentException naming the field and what is wrong
   */
  static void checkAddress(String field, String address, boolean optional) {
    if (address == null) {
      throw new IllegalArgumentException(field + " address must not be null");
    }
    if (address.isEmpty() && optional) {
      return;
    }
    int colon = address.lastIndexOf(':');
    if (address.length() > MAX_ADDRESS || colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException(field + " address must be host:port, was \""
          + printable(address) + "\"");
    }
    for (int i = 0; i < colon; i++) {
      char ch = address.charAt(i);
      if (ch <= ' ' || ch > '~') {
        throw new IllegalArgumentException(field + " address has a space or control character"
            + " in its host: \"" + printable(address) + "\"");
      }
    }
    String port = address.substring(colon + 1);
    int value = -1;
    if (port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      value = Integer.parseInt(port);
    }
    if (value < 1 || value > 65535) {
      throw new IllegalArgumentException(field + " address has no port from 1 to 65535: \""
          + printable(address) + "\"");
    }
  }

  private static String printable(String text) {
    String cut = text.length() > 80 ? text.substring(0, 80) + "…" : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
