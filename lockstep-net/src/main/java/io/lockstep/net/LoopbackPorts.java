package io.lockstep.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Free TCP ports on 127.0.0.1 for test clusters and local runs, chosen below the kernel's
 * ephemeral range.
 *
 * <p>A port the kernel hands out for {@code bind(0)} comes from the ephemeral range, and so does
 * the source port of every outgoing connection: between probing such a port and binding it again,
 * a replica's own reconnect can take it ("Address already in use"). Ports below the range are
 * never given to outgoing connections, so a probed port stays free unless another listener takes
 * it on purpose.
 */
public final class LoopbackPorts {
  private static final int LOWEST = 10_000;
  private static final int DEFAULT_EPHEMERAL_START = 32_768;
  private static final SplittableRandom RANDOM = new SplittableRandom(System.nanoTime());

  private LoopbackPorts() {}

  /**
   * {@code count} distinct ports that were all free at once a moment ago, and that no other JVM
   * on this machine handed out ({@link PortReservations}).
   */
  public static int[] free(int count) {
    return free(count, LOWEST, ephemeralStart());
  }

  /** As {@link #free(int)}, drawn from [lowest, highest). */
  static int[] free(int count, int lowest, int highest) {
    List<ServerSocket> held = new ArrayList<>();
    int[] ports = new int[count];
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket socket = null;
        for (int attempt = 0; socket == null; attempt++) {
          if (attempt == 1_000) {
            throw new IllegalStateException("no free loopback port in [" + lowest + ", "
                + highest + ")");
          }
          socket = tryClaim(lowest + randomBelow(highest - lowest));
        }
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      held.forEach(LoopbackPorts::closeQuietly);
    }
  }

  /**
   * A base port P such that P+offset+i is free for every offset and every i in [first, last]:
   * the layout {@code lockstep local} derives from {@code --base-port}.
   */
  public static int freeBase(int[] offsets, int first, int last) {
    int span = offsets[offsets.length - 1] + last;
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int base = LOWEST + randomBelow(ephemeralStart() - LOWEST - span);
      if (allFree(base, offsets, first, last)) {
        return base;
      }
    }
    throw new IllegalStateException("no free loopback port range below " + ephemeralStart());
  }

  private static boolean allFree(int base, int[] offsets, int first, int last) {
    List<Integer> claimed = new ArrayList<>();
    for (int offset : offsets) {
      for (int i = first; i <= last; i++) {
        ServerSocket socket = tryClaim(base + offset + i);
        if (socket == null) {
          claimed.forEach(PortReservations::release);
          return false;
        }
        claimed.add(socket.getLocalPort());
        closeQuietly(socket);
      }
    }
    return true;
  }

  /** A socket bound to {@code port} if it is free and this JVM could claim it, else null. */
  private static ServerSocket tryClaim(int port) {
    ServerSocket socket = tryBind(port);
    if (socket != null && !PortReservations.claim(port)) {
      closeQuietly(socket);
      return null;
    }
    return socket;
  }

  private static synchronized int randomBelow(int bound) {
    return RANDOM.nextInt(bound);
  }

  /** First port of the kernel's ephemeral range (Linux reads it from /proc; 32768 otherwise). */
  static int ephemeralStart() {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    try {
      int start = Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
      return start > LOWEST + 1_000 ? start : DEFAULT_EPHEMERAL_START;
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_START;
    }
  }

  private static ServerSocket tryBind(int port) {
    try {
      ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
      socket.setReuseAddress(true);
      return socket;
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
