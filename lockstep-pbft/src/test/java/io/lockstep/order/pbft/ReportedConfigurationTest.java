package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Signer;
import io.lockstep.order.Configuration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Pbft#configuration()} is kept between changes ({@link ReportedConfiguration}), and the
 * kept answer must be exactly what computing it afresh gives, whatever happened in between:
 * ticks of any length (silences grow, reports go stale), requests, checkpoints that move the
 * low watermark, a backup cut off and back (silence evidence comes and goes). Backups only:
 * cutting the primary off adds view changes, which do not touch what the key reads but made the
 * test half again as long.
 */
class ReportedConfigurationTest {
  @Test
  void theKeptConfigurationAlwaysEqualsAFreshComputationOverRandomSteps() {
    AtomicInteger checks = new AtomicInteger();
    AtomicInteger silent = new AtomicInteger();
    for (long seed = 1; seed <= 3; seed++) {
      Random random = new Random(seed);
      Net net = new Net(c -> c.withLog(1, 4, 8).withSigner(hashing(c.self())));
      int[] cutOff = {-1};
      String where = "seed " + seed;
      net.filter = m -> {
        compare(net, where, checks, silent); // before every delivery: after every step
        return m.from() == cutOff[0] || m.to() == cutOff[0] ? null : m;
      };
      for (int step = 0; step < 100; step++) {
        switch (random.nextInt(5)) {
          case 0 -> net.tick(random.nextInt(500));
          case 1 -> net.send(net.request());
          case 2 -> net.run();
          case 3 -> cutOff[0] = random.nextInt(3) == 0 ? 1 + random.nextInt(3) : -1; // a backup
          default -> net.tick(1);
        }
        compare(net, where + " step " + step, checks, silent);
      }
    }
    assertThat(checks.get()).as("compared often").isGreaterThan(2_000);
    assertThat(silent.get()).as("with silence evidence at times").isPositive();
  }

  /**
   * Signs with a hash of the signer's id and the bytes, as the simulator's MACs stand in for
   * Ed25519: what is compared here does not depend on the signatures, and 1.35 ms per Ed25519
   * signature made this test cost seconds.
   */
  private static Signer hashing(int self) {
    return new Signer() {
      @Override
      public int self() {
        return self;
      }

      @Override
      public byte[] sign(byte[] data) {
        return signature(self, data);
      }

      @Override
      public boolean verify(int node, byte[] data, byte[] signature) {
        return Arrays.equals(signature(node, data), signature);
      }
    };
  }

  private static byte[] signature(int node, byte[] data) {
    byte[] tagged = Arrays.copyOf(data, data.length + 1);
    tagged[data.length] = (byte) node;
    return Digest.of(tagged).bytes();
  }

  private static void compare(Net net, String where, AtomicInteger checks,
      AtomicInteger silent) {
    for (Pbft node : net.nodes) {
      Configuration kept = node.configuration();
      assertThat(kept).as(where + ", replica " + node.self())
          .isEqualTo(node.reportedConfiguration.fresh());
      checks.incrementAndGet();
      if (kept.silentMillis().values().stream().anyMatch(ms -> ms > 1_000)) {
        silent.incrementAndGet();
      }
    }
  }
}
