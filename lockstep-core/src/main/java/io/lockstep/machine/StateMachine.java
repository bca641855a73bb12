package io.lockstep.machine;

/**
 * A deterministic state machine (paper §1): state variables plus commands.
 *
 * <p>Lockstep runs one copy per replica and feeds every copy the same stable requests in the same
 * order. Implementations must be deterministic: no wall clock, no {@code Random}, no threads,
 * no I/O, no iteration over hash-ordered collections whose order may differ between JVMs. All
 * methods are called from a single thread.
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

  /** Encodes every state variable; {@link #restore} of the result must give an equal state. */
  byte[] snapshot();

  /** Replaces the whole state with one produced by {@link #snapshot}. */
  void restore(byte[] snapshot);
}
