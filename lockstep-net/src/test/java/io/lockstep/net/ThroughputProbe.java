package io.lockstep.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Prints how many messages per second one replica pushes to another over loopback (authenticated,
 * MACed, batched), and the round-trip time of a single message in flight. Not a test: run with
 * {@code java -cp <test classpath> io.lockstep.net.ThroughputProbe [seconds]}.
 */
public final class ThroughputProbe {
  private ThroughputProbe() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    for (int size : new int[] {64, 1024, 16 * 1024}) {
      oneWay(size, seconds);
    }
    roundTrip(seconds);
  }

  private static void oneWay(int size, double seconds) throws IOException {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    try (PeerNetwork sender = PeerNetwork.start(config(1, addresses), (from, p) -> { });
        PeerNetwork receiver = PeerNetwork.start(config(2, addresses),
            (from, p) -> { })) {
      TestNet.await("connected", () -> sender.isConnected(2));
      byte[] payload = new byte[size];
      long sent = 0;
      long dropped = 0;
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        if (sender.send(2, payload)) {
          sent++;
        } else {
          dropped++;
          LockSupport.parkNanos(20_000);
        }
      }
      long total = sent;
      TestNet.await("drained", () -> receiver.stats().framesReceived() >= total);
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.out.printf("one-way %6d B: %,12.0f msg/s  %8.1f MB/s  (%,d sent, %,d refused by "
              + "a full queue, then retried after 20 us)%n", size, sent / elapsed, sent * (double) size / elapsed / 1e6,
          sent, dropped);
    }
  }

  private static void roundTrip(double seconds) throws Exception {
    Map<Integer, InetSocketAddress> addresses = TestNet.addresses(2);
    Semaphore replies = new Semaphore(0);
    PeerNetwork[] echo = new PeerNetwork[1];
    try (PeerNetwork client = PeerNetwork.start(config(1, addresses), (f, p) -> replies.release());
        PeerNetwork server = PeerNetwork.start(config(2, addresses),
            (from, p) -> echo[0].send(from, p))) {
      echo[0] = server;
      TestNet.await("connected", () -> client.isConnected(2) && server.isConnected(1));
      long[] samples = new long[1_000_000];
      int n = 0;
      long end = System.nanoTime() + (long) (seconds * 1e9);
      byte[] ping = new byte[64];
      while (System.nanoTime() < end && n < samples.length) {
        long t0 = System.nanoTime();
        client.send(2, ping);
        if (!replies.tryAcquire(1, TimeUnit.SECONDS)) {
          throw new IllegalStateException("ping lost");
        }
        samples[n++] = System.nanoTime() - t0;
      }
      long[] sorted = Arrays.copyOf(samples, n);
      Arrays.sort(sorted);
      System.out.printf("round trip 64 B, 1 in flight: p50 %.1f us  p99 %.1f us  (%,d pings)%n",
          sorted[n / 2] / 1e3, sorted[(int) (n * 0.99)] / 1e3, n);
    }
  }

  private static PeerConfig config(int self, Map<Integer, InetSocketAddress> addresses) {
    return new PeerConfig(self, addresses.get(self), addresses, TestNet.CLUSTER, TestNet.SECRET,
        NetOptions.defaults().withIoThreads(1));
  }
}
