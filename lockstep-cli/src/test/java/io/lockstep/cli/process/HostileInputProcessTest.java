package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.net.FrameKind;
import io.lockstep.net.Frames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Untrusted input against real replica processes (bad input changes nothing): garbage on every port
 * must be dropped without hurting the replica, and damaged storage must be refused when it is in
 * the committed prefix and repaired when it is only a torn tail (X1, X2).
 *
 * <p>Both run on one cluster, garbage first: garbage leaves every replica serving (which is what
 * the first test checks), so the storage test finds the cluster as a fresh one would be, and
 * the class starts three replica processes once instead of twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputProcessTest {
  /** The class's: a test's own directory would be deleted under the running cluster. */
  @TempDir static Path dir;
  private static ProcessCluster cluster;

  @AfterAll
  static void killEverything() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The class's cluster, started by whichever test runs first. */
  private static ProcessCluster cluster() throws Exception {
    if (cluster == null) {
      cluster = ProcessCluster.start(dir, false);
    }
    return cluster;
  }

  @Test
  @Order(1)
  void garbageOnEveryPortLeavesEveryReplicaServing() throws Exception {
    cluster();
    int leader = cluster.awaitLeader();
    SplittableRandom random = new SplittableRandom(7);
    for (int id = 1; id <= 3; id++) {
      for (byte[] attack : redisAttacks(random)) {
        sendAndDrain(cluster.redisPort(id), attack);
      }
      for (byte[] attack : frameAttacks(random)) {
        sendAndDrain(cluster.peerPort(id), attack);
        sendAndDrain(cluster.clientPort(id), attack);
      }
      for (byte[] attack : httpAttacks(random)) {
        sendAndDrain(cluster.metricsPort(id), attack);
      }
    }
    for (int id = 1; id <= 3; id++) {
      assertThat(cluster.processes.replica(id).isAlive()).as("replica %d alive", id).isTrue();
      try (Jedis jedis = cluster.jedis(id)) {
        assertThat(jedis.ping()).isEqualTo("PONG");
        assertThat(jedis.set("after-garbage-" + id, "fine")).isEqualTo("OK");
      }
    }
    try (Jedis jedis = cluster.jedis(leader % 3 + 1)) {
      assertThat(jedis.get("after-garbage-1")).isEqualTo("fine");
    }
    assertThat(cluster.health()).allMatch(ReplicaHealth::healthy);
  }

  private static List<byte[]> redisAttacks(SplittableRandom random) {
    return List.of(bytes(random, 64 * 1024),
        ascii("*1\r\n$99999999999\r\n"),
        ascii("*2147483647\r\n"),
        ascii("*3\r\n$3\r\nSET\r\n$-5\r\n"),
        ascii("\u0000\u00ff\r\n\r\n+++\r\n"));
  }

  private static List<byte[]> frameAttacks(SplittableRandom random) {
    List<byte[]> out = new ArrayList<>();
    out.add(bytes(random, 32 * 1024));
    // Oversized: a valid header announcing a 2 GiB payload, refused from the header alone.
    ByteBuffer huge = ByteBuffer.allocate(Frames.HEADER_BYTES);
    huge.putShort((short) Frames.MAGIC).put((byte) Frames.VERSION).put((byte) 0)
        .putInt(Integer.MAX_VALUE).putInt(0);
    out.add(huge.array());
    // Wrong checksum: a well-formed hello with one flipped payload byte.
    byte[] corrupt = Frames.encode(FrameKind.HELLO, peerHello(random, 1));
    corrupt[corrupt.length - 1] ^= 0x5a;
    out.add(corrupt);
    // Unauthenticated: a hello claiming to be replica 2 without authentication, then one that
    // claims HMAC followed by a forged proof and a data frame.
    out.add(Frames.encode(FrameKind.HELLO, peerHello(random, 0)));
    ByteArrayOutputStream forged = new ByteArrayOutputStream();
    forged.writeBytes(Frames.encode(FrameKind.HELLO, peerHello(random, 1)));
    forged.writeBytes(Frames.encode(FrameKind.PROOF, bytes(random, 32)));
    forged.writeBytes(Frames.encode(FrameKind.DATA, bytes(random, 100)));
    out.add(forged.toByteArray());
    return out;
  }

  /** A hello as PeerNetwork writes one: role peer, auth flag, nonce, cluster "test", id "2". */
  private static byte[] peerHello(SplittableRandom random, int auth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    out.write(auth);
    out.writeBytes(bytes(random, 32));
    out.write(4);
    out.writeBytes(ascii("test"));
    out.write(1);
    out.writeBytes(ascii("2"));
    return out.toByteArray();
  }

  private static List<byte[]> httpAttacks(SplittableRandom random) {
    return List.of(bytes(random, 16 * 1024),
        ascii("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
        ascii("POST /metrics HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nabc"),
        ascii("GET /" + "a".repeat(100_000) + " HTTP/1.1\r\n\r\n"));
  }

  /** Sends bytes, reads whatever comes back for a moment, and closes. */
  private static void sendAndDrain(int port, byte[] attack) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(300);
      OutputStream out = socket.getOutputStream();
      out.write(attack);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (in.read(buffer) >= 0) {
        // drain until the replica closes the connection or the timeout passes
      }
    } catch (IOException e) {
      // a reset or timeout is the expected answer to garbage
    }
  }

  @Test
  @Order(2)
  void unusableStorageIsRefusedWithItsNameAndATornTailIsRepaired() throws Exception {
    cluster();
    int leader = cluster.awaitLeader();
    try (Jedis jedis = cluster.jedis(leader)) {
      for (int i = 0; i < 300; i++) {
        jedis.set("key-" + i, "value-" + i + "-" + "x".repeat(50));
      }
    }
    int victim = leader % 3 + 1;
    cluster.awaitApplied(victim, cluster.health().get(leader - 1).commitIndex(),
        Duration.ofSeconds(10));
    cluster.processes.stop(victim);
    List<Path> segments = cluster.segments(victim);
    assertThat(segments).isNotEmpty();
    // A flipped bit in a segment is repaired from peers (RepairProcessTest); what is still
    // refused is damage that leaves nothing safe, here an unreadable repair marker: the bound
    // of what this replica may have acknowledged is unknown.
    Path marker = segments.get(0).resolveSibling("repair-pending");
    Files.writeString(marker, "not a number\n");

    cluster.processes.startReplica(victim);
    int exit = cluster.processes.replica(victim).process().waitFor();
    assertThat(exit).as("exit code of a replica with corrupt storage").isEqualTo(3);
    assertThat(cluster.console(victim)).contains("replica " + victim + " cannot start: "
        + marker).contains("does not parse").contains("refuses to start on damaged storage");

    Files.delete(marker);
    Path last = segments.get(segments.size() - 1);
    // A torn append: the crash came in the middle of writing a record that was never synced.
    Files.write(last, bytes(new SplittableRandom(3), 23), StandardOpenOption.APPEND);
    cluster.processes.startReplica(victim);
    try (Jedis jedis = cluster.jedis(leader)) {
      jedis.set("after-repair", "yes");
    }
    cluster.awaitApplied(victim, cluster.health().get(leader - 1).commitIndex(),
        Duration.ofSeconds(20));
    try (Jedis jedis = cluster.jedis(victim)) {
      assertThat(jedis.get("key-299")).startsWith("value-299-");
      assertThat(jedis.get("after-repair")).isEqualTo("yes");
    }

    // Truncating a few bytes tears the last record; the replica repairs its log and rejoins.
    // The log writes zeros ahead of its records, so the cut is made before the last byte
    // written that is not zero.
    cluster.processes.stop(victim);
    try (var channel = Files.newByteChannel(last, StandardOpenOption.WRITE)) {
      channel.truncate(lastNonZero(Files.readAllBytes(last)) + 1 - 5);
    }
    cluster.processes.startReplica(victim);
    awaitFollowerOf(victim, leader);
    assertThat(cluster.console(victim)).contains("torn");
    try (Jedis jedis = cluster.jedis(victim)) {
      assertThat(jedis.get("key-0")).startsWith("value-0-");
    }
  }

  private void awaitFollowerOf(int id, int leader) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    ReplicaHealth h = null;
    while (System.nanoTime() < deadline) {
      h = cluster.health().get(id - 1);
      if (h.reachable() && h.leader() == leader && "follower".equals(h.role())) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("replica " + id + " did not rejoin as follower of " + leader + ": " + h);
  }

  private static int lastNonZero(byte[] bytes) {
    int i = bytes.length - 1;
    while (i >= 0 && bytes[i] == 0) {
      i--;
    }
    return i;
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
