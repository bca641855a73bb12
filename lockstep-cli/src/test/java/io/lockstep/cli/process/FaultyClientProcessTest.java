package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.client.ClientKeys;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.RedisProxy;
import io.lockstep.net.FrameKind;
import io.lockstep.net.Frames;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Faulty clients against a Byzantine cluster of real processes (in deployed PBFT-family systems,
 * one faulty client's bad authenticators or malformed requests collapsed throughput): a client
 * proving a key that is not its own, malformed frames, and a flood of connections from one
 * source. Each is refused by the transport with a counted reason, changes nothing, and the
 * honest clients writing through the voting proxy meanwhile keep completing linearizable
 * operations.
 */
class FaultyClientProcessTest {
  /** How long the flood of garbage connections lasts. */
  private static final Duration FLOOD = Duration.ofSeconds(4);

  @TempDir Path dir;
  private ByzantineCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void badAuthenticatorsMalformedFramesAndAFloodAreRefusedWhileOthersAreServed()
      throws Exception {
    cluster = ByzantineCluster.start(dir, "");
    KvLoad load = new KvLoad(port -> cluster.proxy(), 1, 3, 3).start();
    Thread.sleep(1_000);

    forgedClientChangesNothing();
    long beforeFlood = load.okWrites();
    flood();
    long duringFlood = load.okWrites() - beforeFlood;
    Thread.sleep(1_000);
    load.stop();
    try (Jedis proxy = cluster.proxy()) {
      load.finalReads(proxy);
      assertThat(proxy.get("forged")).as("the forged client's write").isNull();
    }
    load.checkAndExport("faulty-clients");
    System.out.printf("faulty clients: %d writes acknowledged during the %d s flood%n",
        duringFlood, FLOOD.toSeconds());
    assertThat(duringFlood).as("honest writes completed during the flood").isPositive();

    double badProof = 0;
    double garbage = 0;
    for (int id = 1; id <= ByzantineCluster.REPLICAS; id++) {
      badProof += cluster.metric(id, "lockstep_net_rejected_total", "port=\"client\"",
          "reason=\"BAD_PROOF\"");
      for (String reason : List.of("BAD_MAGIC", "BAD_FLAGS", "BAD_VERSION", "BAD_HANDSHAKE",
          "OVERSIZED", "BAD_CHECKSUM", "TRUNCATED")) {
        garbage += cluster.metric(id, "lockstep_net_rejected_total", "port=\"client\"",
            "reason=\"" + reason + "\"");
      }
    }
    assertThat(badProof).as("handshakes refused for a wrong key").isPositive();
    assertThat(garbage).as("malformed frames refused").isPositive();
  }

  /**
   * A client that claims the proxy's identity but proves another key: every replica refuses
   * its handshake, so its write fails and is never ordered.
   */
  private void forgedClientChangesNothing() throws Exception {
    ClientOptions real = ClientOptions.fromConfig(cluster.config, LocalLayout.PROXY_CLIENT);
    ClientKeys keys = real.keys();
    ClientKeys forged = new ClientKeys(KeyPairGenerator.getInstance("Ed25519")
        .generateKeyPair().getPrivate(), keys.replicaIds(), keys.replicaKeys());
    try (RedisProxy proxy = RedisProxy.start(real.withKeys(forged)
            .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(3)), "127.0.0.1", 0, null);
        Jedis jedis = new Jedis("127.0.0.1", proxy.port(), 10_000)) {
      assertThatThrownBy(() -> jedis.set("forged", "x")).isInstanceOf(JedisException.class);
    }
  }

  /** Malformed frames on every replica's client port from many connections at once. */
  private void flood() throws InterruptedException {
    long until = System.nanoTime() + FLOOD.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      SplittableRandom random = new SplittableRandom(t);
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < until) {
          int id = 1 + random.nextInt(ByzantineCluster.REPLICAS);
          send(cluster.base + 200 + id, malformed(random));
        }
      }, "flood-" + t);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
  }

  private static byte[] malformed(SplittableRandom random) {
    byte[] noise = new byte[1 + random.nextInt(2048)];
    random.nextBytes(noise);
    return switch (random.nextInt(3)) {
      case 0 -> noise; // no magic number
      case 1 -> Frames.encode(FrameKind.DATA, noise); // data before any handshake
      default -> Frames.encode(FrameKind.HELLO, noise); // a hello that is no hello
    };
  }

  private static void send(int port, byte[] bytes) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(200);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      socket.getInputStream().read(new byte[256]);
    } catch (IOException e) {
      // a reset or a timeout is the expected answer to garbage
    }
  }
}
