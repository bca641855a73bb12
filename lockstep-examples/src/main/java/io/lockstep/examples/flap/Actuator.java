package io.lockstep.examples.flap;

import java.util.OptionalInt;

/**
 * One of the replicated output devices that move the flap (paper §4). A correct one is a {@link
 * FlapActuator}; a faulty one may report any position or none.
 */
public interface Actuator {
  /** This device's number, distinct among the flap's devices. */
  int device();

  /** The angle this device drives the surface to, or empty if it has not moved (or is down). */
  OptionalInt position();
}
