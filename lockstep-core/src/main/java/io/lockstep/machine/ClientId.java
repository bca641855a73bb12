package io.lockstep.machine;

/**
 * The identity of a client of the replicated service (paper §2: a request names its issuer).
 *
 * <p>For replicated clients (paper §5.1) this names the logical client that the client replicas
 * stand for; each copy also names the replica that sent it.
 *
 * @param value a printable name of 1 to {@value #MAX_LENGTH} characters without control characters
 */
public record ClientId(String value) implements Comparable<ClientId> {
  /** Longest accepted identity, so that session tables stay bounded in memory. */
  public static final int MAX_LENGTH = 128;

  public ClientId {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("client id must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "client id is " + value.length() + " characters, the limit is " + MAX_LENGTH);
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException("client id contains a control character at " + i);
      }
    }
  }

  /** Shorthand for {@code new ClientId(value)}. */
  public static ClientId of(String value) {
    return new ClientId(value);
  }

  /**
   * A well-mixed hash of this client and one of its sequence numbers, for maps keyed by a
   * request's identity. The plain combination {@code 31·h(client) + h(sequence)} collides
   * whenever two ids' hashes differ by d and the sequences by -31·d, which is what numbered ids
   * ({@code client-1}, {@code client-2}, …) give: a window of recent requests then piles into
   * few buckets. Mixing both through a 64-bit finalizer (MurmurHash3's fmix64) spreads them.
   */
  public int hashWith(long sequence) {
    long x = value.hashCode() * 0x9E3779B97F4A7C15L + sequence;
    x = (x ^ (x >>> 33)) * 0xFF51AFD7ED558CCDL;
    x = (x ^ (x >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return (int) (x ^ (x >>> 33));
  }

  /**
   * Written out rather than the record's generated equality, which goes through method
   * handles: on a replica's loop thread, before the JIT has compiled them, those showed up in
   * profiles of every map lookup keyed by a client.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof ClientId c && value.equals(c.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public int compareTo(ClientId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
