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

  @Override
  public int compareTo(ClientId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
