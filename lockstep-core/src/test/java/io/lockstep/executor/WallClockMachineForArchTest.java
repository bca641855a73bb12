package io.lockstep.executor;

import java.util.Random;

/** Deliberately non-deterministic, to show the architecture rule has teeth. Never used. */
public final class WallClockMachineForArchTest {
  private WallClockMachineForArchTest() {}

  static long now() {
    return System.currentTimeMillis() + new Random().nextInt();
  }
}
