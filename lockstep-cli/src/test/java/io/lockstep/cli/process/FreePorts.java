package io.lockstep.cli.process;

import io.lockstep.net.LoopbackPorts;

/** Finds a base port for {@code lockstep local}'s layout (P+i, P+100+i, P+200+i, P+300+i). */
public final class FreePorts {
  private FreePorts() {}

  /** A base port whose four port groups for {@code replicas} replicas, and P, are all free now. */
  public static int basePort(int replicas) {
    // P itself too (i = 0): local --failure-model byzantine puts its voting proxy there.
    return LoopbackPorts.freeBase(new int[] {0, 100, 200, 300}, 0, replicas);
  }
}
