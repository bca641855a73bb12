package io.lockstep.machine;

import java.util.random.RandomGenerator;

/**
 * What a command may observe besides its arguments (paper §1: outputs depend only on the
 * sequence of requests). Every value here is the same on every replica at the same point of
 * the order, so commands that read only these stay deterministic.
 */
public interface Context {
  /**
   * The agreed time of the request being executed, in milliseconds since the epoch. It never
   * decreases along the order. Use it instead of the wall clock (paper §5.2 time-outs, §6).
   */
  long time();

  /** Who issued the request (paper §5.2: commands see who asks). */
  ClientId client();

  /** The request's position in the order: its unique identifier once stable (paper §3.2). */
  long position();

  /** A random stream seeded from the position, identical on every replica. */
  RandomGenerator random();

  /**
   * {@code schedule <command> for +delayMillis} (paper §5.2): every replica creates the request
   * locally, without a message, and executes it at the first point of the order whose agreed
   * time is at least {@code time() + delayMillis}. The scheduled command runs with this
   * request's client as its caller and {@link #isTimeout()} true.
   */
  void schedule(byte[] command, long delayMillis);

  /**
   * Paper §6 (time makes requests): unless {@code client} issues a request before agreed time
   * {@code deadline}, every replica executes {@code defaultCommand} on its behalf at the first
   * point of the order past the deadline, with {@link #isDefault()} true.
   */
  void expect(ClientId client, long deadline, byte[] defaultCommand);

  /** True when the running command was created by {@link #schedule}. */
  boolean isTimeout();

  /** True when the running command was synthesized by {@link #expect}. */
  boolean isDefault();
}
