package io.lockstep.cli.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.SplittableRandom;

/** Finds a base port for {@code lockstep local}'s layout (P+i, P+100+i, P+200+i, P+300+i). */
public final class FreePorts {
  private FreePorts() {}

  /** A base port whose four port groups for {@code replicas} replicas, and P, are all free now. */
  public static int basePort(int replicas) {
    SplittableRandom random = new SplittableRandom(System.nanoTime());
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = 20_000 + random.nextInt(30_000);
      if (allFree(base, replicas)) {
        return base;
      }
    }
    throw new AssertionError("no free port range found");
  }

  private static boolean allFree(int base, int replicas) {
    for (int offset : new int[] {0, 100, 200, 300}) {
      // P itself too: local --failure-model byzantine puts its voting proxy there.
      for (int i = offset == 0 ? 0 : 1; i <= replicas; i++) {
        try (ServerSocket s = new ServerSocket(base + offset + i, 1,
            InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          return false;
        }
      }
    }
    return true;
  }
}
