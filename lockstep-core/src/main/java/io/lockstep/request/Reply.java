package io.lockstep.request;

import io.lockstep.machine.ClientId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One replica's output for one request (paper §4): what the client's voter combines.
 *
 * @param client the client the reply is for
 * @param sequence the request's sequence number
 * @param status whether the command ran or was refused
 * @param value the command's output when OK, empty otherwise
 * @param reason why the request was refused when REJECTED, empty otherwise
 * @param position the request's position in the order (its uid)
 * @param replica the replica that produced this reply
 * @param configVersion the version of the configuration (paper §7) when the reply was made: a
 *     client or output device holding an older one polls for the new one. Advisory, so not part
 *     of {@link #sameOutput} (a faulty replica that inflates it only causes a poll)
 */
public record Reply(
    ClientId client, long sequence, Status status, byte[] value, String reason, long position,
    int replica, long configVersion) {

  /** Outcome of executing one request. */
  public enum Status {
    /** The command ran; {@code value} is its output. */
    OK,
    /** The request was refused and changed nothing; {@code reason} says why. */
    REJECTED
  }

  public Reply {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(reason, "reason");
  }

  /** A reply that carries no configuration version (0: the configuration never changed). */
  public Reply(ClientId client, long sequence, Status status, byte[] value, String reason,
      long position, int replica) {
    this(client, sequence, status, value, reason, position, replica, 0);
  }

  /** This reply as counted from {@code channel}, the replica it really came from. */
  public Reply fromReplica(int channel) {
    return new Reply(client, sequence, status, value, reason, position, channel, configVersion);
  }

  /**
   * True when two replies carry the same output, whichever replica sent them; this is what the
   * voter counts (paper §4: identical replies).
   */
  public boolean sameOutput(Reply other) {
    return client.equals(other.client)
        && sequence == other.sequence
        && status == other.status
        && Arrays.equals(value, other.value)
        && reason.equals(other.reason);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Reply r && sameOutput(r) && position == r.position && replica == r.replica
        && configVersion == r.configVersion;
  }

  @Override
  public int hashCode() {
    return Objects.hash(client, sequence, status, Arrays.hashCode(value), reason, position, replica,
        configVersion);
  }
}
