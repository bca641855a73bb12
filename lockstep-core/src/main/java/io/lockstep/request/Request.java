package io.lockstep.request;

import io.lockstep.machine.ClientId;
import java.util.Arrays;
import java.util.Objects;

/**
 * A request to the replicated state machine (paper §2): its issuer, the issuer's sequence number
 * and the command to run.
 *
 * <p>{@code sequence} numbers a client's requests 1, 2, 3… in issue order; the executor uses it
 * for per-client FIFO order (O1) and exactly-once execution (X4). For a replicated client (paper
 * §5.1) {@code client} names the logical client, {@code sequence} the logical request id that the
 * client replicas share, and {@code copyFrom} the client replica that sent this copy; it is null
 * for ordinary clients.
 *
 * @param client the issuer (the logical client for replicated clients)
 * @param sequence this client's request number, starting at 1
 * @param kind a command, or a null request that is ordered but never executed (paper §3.2.1)
 * @param command the encoded command; empty for null requests
 * @param copyFrom the client replica that sent this copy, or null
 */
public record Request(ClientId client, long sequence, Kind kind, byte[] command, ClientId copyFrom) {
  /** Largest command accepted, so that one request cannot exhaust a replica's memory. */
  public static final int MAX_COMMAND_BYTES = 1 << 20;

  /** What a request asks for. */
  public enum Kind {
    /** A read-write command for {@link io.lockstep.machine.StateMachine#apply}. */
    COMMAND,
    /** Paper §3.2.1 null request: carries time and liveness, never executed, never replied to. */
    NULL
  }

  public Request {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(command, "command");
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1, was " + sequence);
    }
    if (command.length > MAX_COMMAND_BYTES) {
      throw new IllegalArgumentException(
          "command is " + command.length + " bytes, the limit is " + MAX_COMMAND_BYTES);
    }
  }

  /** An ordinary client's command. */
  public static Request command(ClientId client, long sequence, byte[] command) {
    return new Request(client, sequence, Kind.COMMAND, command, null);
  }

  /** A null request (ordered, never executed). */
  public static Request nullRequest(ClientId client, long sequence) {
    return new Request(client, sequence, Kind.NULL, new byte[0], null);
  }

  /** Cheapest test first: a PBFT backup compares each arriving request with those in flight. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Request r
        && sequence == r.sequence
        && client.equals(r.client)
        && kind == r.kind
        && Arrays.equals(command, r.command)
        && Objects.equals(copyFrom, r.copyFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(client, sequence, kind, Arrays.hashCode(command), copyFrom);
  }

  @Override
  public String toString() {
    return "Request[" + client + "#" + sequence + " " + kind + " " + command.length + "B"
        + (copyFrom == null ? "" : " from " + copyFrom) + "]";
  }
}
