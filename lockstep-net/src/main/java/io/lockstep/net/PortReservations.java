package io.lockstep.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports {@link LoopbackPorts} handed out, claimed by a lock on a file named after the port in a
 * directory every JVM of the machine shares, and held until the JVM exits.
 *
 * <p>A probed port is free only until someone binds it. Two JVMs drawing ports at once (test
 * classes in parallel, two {@code lockstep local}s) could hand out the same one, and the replica
 * that binds second refuses to start. With the claim, a JVM skips ports another live JVM handed
 * out; the kernel drops a dead JVM's locks, so nothing needs cleaning up. Where the directory
 * cannot be used, probing alone decides, as before.
 */
final class PortReservations {
  private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"),
      "lockstep-ports");
  private static final Map<Integer, FileChannel> HELD = new ConcurrentHashMap<>();

  private PortReservations() {}

  /** Claims {@code port} for this JVM; false if this or another live JVM already has. */
  static boolean claim(int port) {
    if (HELD.containsKey(port)) {
      return false;
    }
    FileChannel channel;
    try {
      Files.createDirectories(DIR);
      channel = FileChannel.open(DIR.resolve(Integer.toString(port)), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      return true; // no shared directory here: the probe alone decides
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null || HELD.putIfAbsent(port, channel) != null) {
      closeQuietly(channel);
      return false;
    }
    return true;
  }

  /** Gives a claim back (a port drawn but not handed out). */
  static void release(int port) {
    FileChannel channel = HELD.remove(port);
    if (channel != null) {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // a lock file that fails to close is released when the JVM exits
    }
  }
}
