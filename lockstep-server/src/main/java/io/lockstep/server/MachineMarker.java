package io.lockstep.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Remembers, in a replica's data directory, which state machine class wrote its log and
 * snapshots ({@code <data-dir>/<id>/machine}), so that a replica restarted for another class —
 * the config's {@code cluster.machine} or {@code cluster.service} changed under an existing
 * cluster — refuses to start instead of replaying one machine's commands into another.
 */
final class MachineMarker {
  static final String FILE = "machine";

  private MachineMarker() {}

  /**
   * Records {@code machineClass} for the replica directory {@code dir}, or checks it against
   * the class recorded before.
   *
   * @throws IllegalArgumentException if the directory was written by another class
   */
  static void claim(Path dir, int id, String machineClass) throws IOException {
    Path marker = dir.resolve(FILE);
    if (Files.isRegularFile(marker)) {
      String recorded = Files.readString(marker, StandardCharsets.UTF_8).strip();
      if (!recorded.equals(machineClass)) {
        throw new IllegalArgumentException("replica " + id + "'s data in " + dir
            + " was written by machine " + recorded + ", not " + machineClass
            + "; run that machine, or give this one a fresh data directory");
      }
      return;
    }
    Files.createDirectories(dir);
    Path temp = dir.resolve(FILE + ".tmp");
    Files.writeString(temp, machineClass + "\n", StandardCharsets.UTF_8);
    Files.move(temp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
