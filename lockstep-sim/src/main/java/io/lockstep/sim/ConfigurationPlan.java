package io.lockstep.sim;

/**
 * The configuration changes of a simulated run (paper §7, S20): the administrator
 * ({@link io.lockstep.configuration.SystemCommands#ADMIN}) removes clients and adds and removes
 * output devices while every other fault goes on; each change takes effect at a stated future
 * position, {@code distance} positions after its own.
 *
 * @param clientRemovals how many clients the administrator removes over the fault phase
 * @param deviceChanges how many output-device additions and removals it orders
 * @param gapMillis mean simulated time between one change's receipt and the next change
 * @param distance the executors' configuration distance (positions)
 * @param atAppend the deliberately wrong rule: each replica applies a change as soon as its log
 *     holds it ({@link io.lockstep.executor.Executor#takeEffectAtAppendForTest}), for the test
 *     that shows the checkers catch it
 */
public record ConfigurationPlan(int clientRemovals, int deviceChanges, long gapMillis,
    long distance, boolean atAppend) {
  /** No configuration changes. */
  public static final ConfigurationPlan NONE = new ConfigurationPlan(0, 0, 1, 64, false);

  public ConfigurationPlan {
    if (clientRemovals < 0 || deviceChanges < 0 || gapMillis < 1 || distance < 1) {
      throw new IllegalArgumentException("removals and changes must not be negative, the gap"
          + " and distance must be positive, got " + clientRemovals + ", " + deviceChanges
          + ", " + gapMillis + ", " + distance);
    }
  }

  /** Removals of {@code clients} clients and {@code devices} device changes, 300 ms apart. */
  public static ConfigurationPlan changes(int clients, int devices) {
    return new ConfigurationPlan(clients, devices, 300, 20, false);
  }

  /** The same plan under the wrong rule (changes applied when appended). */
  public ConfigurationPlan appliedAtAppend() {
    return new ConfigurationPlan(clientRemovals, deviceChanges, gapMillis, distance, true);
  }

  /** True if the run changes the configuration at all. */
  public boolean active() {
    return clientRemovals + deviceChanges > 0;
  }
}
