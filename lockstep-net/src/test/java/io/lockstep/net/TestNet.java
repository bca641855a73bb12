package io.lockstep.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Helpers for the real-TCP tests: free loopback ports, cluster configs, waiting. */
final class TestNet {
  static final String CLUSTER = "test-cluster";
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OTHER_SECRET =
      "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

  /** Short timeouts and backoff so tests run fast; 1 I/O thread per endpoint on this 2-core box. */
  static final NetOptions OPTIONS = NetOptions.defaults()
      .withIoThreads(1)
      .withHandshakeTimeout(Duration.ofSeconds(5))
      .withReconnect(Duration.ofMillis(20), Duration.ofMillis(200));

  private TestNet() {}

  /** A free port on 127.0.0.1, below the ephemeral range (see {@link LoopbackPorts}). */
  static int freePort() {
    return LoopbackPorts.free(1)[0];
  }

  static InetSocketAddress local(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  /** Addresses for replicas 1..n on free loopback ports. */
  static Map<Integer, InetSocketAddress> addresses(int n) {
    Map<Integer, InetSocketAddress> addresses = new HashMap<>();
    int[] ports = LoopbackPorts.free(n);
    for (int id = 1; id <= n; id++) {
      addresses.put(id, local(ports[id - 1]));
    }
    return addresses;
  }

  static PeerConfig config(int self, Map<Integer, InetSocketAddress> addresses) {
    return new PeerConfig(self, addresses.get(self), addresses, CLUSTER, SECRET, OPTIONS);
  }

  /** A fresh Ed25519 key pair for each of ids 1..n. */
  static Map<Integer, java.security.KeyPair> keyPairs(int n) {
    try {
      java.security.KeyPairGenerator generator =
          java.security.KeyPairGenerator.getInstance("Ed25519");
      Map<Integer, java.security.KeyPair> pairs = new java.util.TreeMap<>();
      for (int id = 1; id <= n; id++) {
        pairs.put(id, generator.generateKeyPair());
      }
      return pairs;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls until {@code condition} holds; fails the test after {@code timeout}. */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  static void await(String what, BooleanSupplier condition) {
    await(what, Duration.ofSeconds(10), condition);
  }
}
