package io.lockstep.machine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A deterministic state machine (paper §1): state variables plus commands.
 *
 * <p>Lockstep runs one copy per replica and feeds every copy the same stable requests in the same
 * order. Implementations must be deterministic: no wall clock, no {@code Random}, no threads,
 * no I/O, no iteration over hash-ordered collections whose order may differ between JVMs. All
 * methods are called from a single thread.
 *
 * <p>Snapshots come in two forms. The byte-array pair ({@link #snapshot()}, {@link
 * #restore(byte[])}) is the simple one every machine implements. A machine whose state may grow
 * large also overrides the streaming pair ({@link #captureSnapshot()}, {@link
 * #restore(InputStream)}), so that a snapshot never needs the whole encoded state in memory and
 * the replica's loop only pays for the capture, not for the encoding (see {@link
 * SnapshotWriter}).
 */
public interface StateMachine {
  /**
   * Executes a read-write command atomically and returns its output.
   *
   * @throws Rejection to refuse the request; it must be thrown before any state changes
   */
  byte[] apply(byte[] command, Context context);

  /**
   * Executes a read-only query; must not change state (paper §3 relaxation for read-only
   * requests).
   *
   * @throws Rejection to refuse the query
   */
  byte[] query(byte[] query, ClientId caller);

  /**
   * Declares whether two commands commute (paper §3 relaxation): applied one after the other from
   * any state, in either order, they give the same outputs and the same final state. Requests
   * whose commands commute need no Order: replicas may apply them in different orders and still
   * agree. The default declares nothing, so every request is ordered.
   *
   * <p>One client's requests keep their order whatever is declared (O1, FIFO per client), so a
   * declaration need only hold for commands of different clients: the tally's two votes of one
   * client do not commute (the second is refused), yet it may declare votes commuting. A
   * declaration must not depend on the state, and it must be true: a wrong one makes
   * replicas diverge where a protocol relies on it (the simulator's {@code CommutingRun} finds
   * that as differing digests). The paper's {@code tally} is the model: votes commute when each
   * client votes once and 2·MAJ exceeds the number of clients.
   */
  default boolean commutes(byte[] command, byte[] other) {
    return false;
  }

  /** Encodes every state variable; {@link #restore} of the result must give an equal state. */
  byte[] snapshot();

  /** Replaces the whole state with one produced by {@link #snapshot}. */
  void restore(byte[] snapshot);

  /**
   * Captures the current state for writing later, possibly on another thread, while this machine
   * goes on applying commands. The default encodes at once with {@link #snapshot()}; machines
   * with large state override it with a cheap capture of immutable parts.
   */
  default SnapshotWriter captureSnapshot() {
    byte[] state = Objects.requireNonNull(snapshot(), "state machine returned a null snapshot");
    return out -> out.write(state);
  }

  /** Writes the current state to {@code out} (the streaming form of {@link #snapshot()}). */
  default void snapshot(OutputStream out) throws IOException {
    captureSnapshot().writeTo(out);
  }

  /**
   * Replaces the whole state with one written by {@link #captureSnapshot} or {@link #snapshot()},
   * reading {@code in} to its end. The default reads it whole and calls {@link #restore(byte[])};
   * machines with large state read it incrementally.
   *
   * @throws IllegalArgumentException if the content is not a valid snapshot
   */
  default void restore(InputStream in) throws IOException {
    restore(in.readAllBytes());
  }
}
