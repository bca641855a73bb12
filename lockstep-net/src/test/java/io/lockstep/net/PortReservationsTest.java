package io.lockstep.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two JVMs drawing loopback ports at once never hand out the same port: each claims what it
 * hands out ({@link PortReservations}). Drawn from a range of 20 free ports, 10 for each, so
 * without the claims the two draws would overlap almost surely.
 */
class PortReservationsTest {
  private static final int RANGE = 20;

  @Test
  void portsHandedOutByOneJvmAreNeverHandedOutByAnother() throws Exception {
    int lowest = freeRange();
    Set<Integer> mine = set(LoopbackPorts.free(RANGE / 2, lowest, lowest + RANGE));
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), Child.class.getName(),
        Integer.toString(lowest), Integer.toString(RANGE))
        .redirectErrorStream(true).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the other JVM finished").isTrue();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as("the other JVM: %s", out).isZero();
    Set<Integer> theirs = Arrays.stream(out.trim().split("\\s+")).map(Integer::valueOf)
        .collect(Collectors.toSet());
    assertThat(theirs).hasSize(RANGE / 2).doesNotContainAnyElementsOf(mine);
  }

  @Test
  void oneJvmHandsOutAPortOnceAndSaysSoWhenTheRangeIsSpent() throws Exception {
    int lowest = freeRange();
    Set<Integer> first = set(LoopbackPorts.free(RANGE / 2, lowest, lowest + RANGE));
    Set<Integer> second = set(LoopbackPorts.free(RANGE / 2, lowest, lowest + RANGE));
    assertThat(second).doesNotContainAnyElementsOf(first);
    assertThatThrownBy(() -> LoopbackPorts.free(1, lowest, lowest + RANGE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no free loopback port");
  }

  /** The other JVM: draws half the range and prints the ports. */
  public static final class Child {
    public static void main(String[] args) {
      int lowest = Integer.parseInt(args[0]);
      int range = Integer.parseInt(args[1]);
      for (int port : LoopbackPorts.free(range / 2, lowest, lowest + range)) {
        System.out.println(port);
      }
    }
  }

  /**
   * The first of {@link #RANGE} consecutive ports, all free now, above the kernel's ephemeral
   * range (which ends at 60999 by default): {@link LoopbackPorts#free(int)} draws below that
   * range, so no other test of this JVM has claimed them.
   */
  private static int freeRange() throws IOException {
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int lowest = ThreadLocalRandom.current().nextInt(61_000, 65_000);
      boolean free = true;
      for (int port = lowest; port < lowest + RANGE && free; port++) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          free = socket.getLocalPort() == port;
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return lowest;
      }
    }
    throw new IOException("no 20 free consecutive ports");
  }

  private static Set<Integer> set(int[] ports) {
    Set<Integer> out = new HashSet<>();
    Arrays.stream(ports).forEach(out::add);
    assertThat(out).hasSize(ports.length);
    return out;
  }
}
