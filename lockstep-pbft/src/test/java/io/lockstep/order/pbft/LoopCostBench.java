package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.order.Input;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What three pieces of a PBFT replica's loop cost, in thread CPU time in one warm JVM, with the
 * server's log (window 256, checkpoint every 128): the Ed25519 signature of a checkpoint vote
 * (now made on the digester thread), the slot invariants of one Ready walking the whole window
 * against only the slots that changed, and the reported configuration built anew against kept.
 * Opt-in (a few seconds): {@code mvn -pl lockstep-pbft -am test -Dtest=LoopCostBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dlockstep.bench.loop-cost=true}.
 */
class LoopCostBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  private static long sink;

  @Test
  void theLoopsPiecesBeforeAndAfter() {
    assumeTrue(Boolean.getBoolean("lockstep.bench.loop-cost"), "opt-in measurement");
    Signer signer = Ed25519Signer.signers(Ed25519Signer.seededKeyPairs(List.of(0, 1, 2, 3), 11))
        .get(0);
    Digest digest = Digest.of(new byte[] {1, 2, 3});
    double sign = nanosPerCall(40, 50,
        () -> sink += Signing.checkpointSignature(signer, 128, digest, 5)[0]);
    System.out.printf("Ed25519 checkpoint vote signature: %.1f us%n", sign / 1e3);

    Pbft p = new Pbft(PbftConfig.defaults(0, List.of(0, 1, 2, 3), 1, signer)
        .withLog(16, 128, 256));
    p.step(new Input.Tick(1_000, 1_700_000_000_000L));
    for (long seq = 1; seq <= 256; seq++) {
      p.slot(seq).commit(digest);
      if (seq <= 200) {
        p.slot(seq).execute(digest);
      }
    }
    p.lastExecuted = 200;
    Invariants.checkAll(p);
    long[] next = {0};
    double whole = nanosPerCall(40, 20_000, () -> {
      p.slots.get(201 + next[0]++ % 50).commit(digest);
      Invariants.checkAll(p); // what every Ready did before
    });
    double changed = nanosPerCall(40, 20_000, () -> {
      p.slots.get(201 + next[0]++ % 50).commit(digest);
      Invariants.check(p);
      Invariants.checkSlots(p);
    });
    System.out.printf("a Ready's invariants, 256 slots kept, one changed: whole window %.2f us,"
        + " changed slots %.2f us%n", whole / 1e3, changed / 1e3);

    for (int peer = 1; peer <= 3; peer++) {
      p.silence.report(peer, Map.of(0, 3L, 1, 4L, 2, 5L, 3, 6L), 1_000);
      p.silence.heard(peer, 1_000);
    }
    double fresh = nanosPerCall(40, 20_000,
        () -> sink += p.reportedConfiguration.fresh().quorum());
    double kept = nanosPerCall(40, 20_000, () -> sink += p.configuration().quorum());
    System.out.printf("configuration(): built anew %.2f us, kept %.3f us%n", fresh / 1e3,
        kept / 1e3);
    assertThat(changed).isLessThan(whole);
    assertThat(kept).isLessThan(fresh);
  }

  /** The median of the last half of {@code blocks} blocks of {@code n} calls, per call. */
  private static double nanosPerCall(int blocks, int n, Runnable call) {
    double[] perCall = new double[blocks];
    for (int b = 0; b < blocks; b++) {
      long start = CPU.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        call.run();
      }
      perCall[b] = (CPU.getCurrentThreadCpuTime() - start) / (double) n;
    }
    double[] warm = Arrays.copyOfRange(perCall, blocks / 2, blocks);
    Arrays.sort(warm);
    return warm[warm.length / 2];
  }
}
