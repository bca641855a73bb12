package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Ordered;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.redis.RedisStore;
import io.lockstep.request.Request;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What one PBFT checkpoint costs the loop thread, before and after the digest moved off it,
 * for the benchmark's state (10,000 keys, 100-byte values): before, capture, sort, encode and
 * SHA-256 on the loop; now, the capture alone (the digester does the rest). Thread CPU time in
 * one warm JVM, the two alternating, so other people's load moves it little. Opt-in (about 20 s):
 * {@code mvn -pl lockstep-server -am test -Dtest=CheckpointLoopCostBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dlockstep.bench.checkpoint-cost=true}.
 */
class CheckpointLoopCostBench {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  @Test
  void theLoopPaysForTheCaptureOnlyNotTheEncodingAndDigest() throws Exception {
    assumeTrue(Boolean.getBoolean("lockstep.bench.checkpoint-cost"), "opt-in measurement");
    Executor executor = new Executor(new RedisStore(), ExecutorConfig.defaults(1));
    byte[] value = new byte[100];
    Arrays.fill(value, (byte) 'v');
    for (int i = 1; i <= 10_000; i++) {
      byte[] key = ("key:" + i).getBytes(StandardCharsets.UTF_8);
      executor.apply(new Ordered(i, i, Request.command(ClientId.of("c"), i,
          RedisOpCodec.encode(RedisOp.Set.of(key, value)))));
    }
    int rounds = 200;
    long[] before = new long[rounds];
    long[] after = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      long start = CPU.getCurrentThreadCpuTime();
      byte[] encoded = executor.captureSnapshot().toByteArray();
      MessageDigest.getInstance("SHA-256").digest(encoded);
      before[r] = CPU.getCurrentThreadCpuTime() - start;
      start = CPU.getCurrentThreadCpuTime();
      CapturedSnapshot captured = executor.captureSnapshot();
      after[r] = CPU.getCurrentThreadCpuTime() - start;
      // off the loop in the server; not counted
      CheckpointDigester.encode(new io.lockstep.replica.CheckpointCapture(captured, null));
    }
    // The last half: past the JIT's warm-up.
    long oldLoop = median(Arrays.copyOfRange(before, rounds / 2, rounds));
    long newLoop = median(Arrays.copyOfRange(after, rounds / 2, rounds));
    System.out.printf("checkpoint of 10,000 keys on the loop: before %.2f ms (capture, sort,"
        + " encode, SHA-256), now %.2f ms (capture)%n", oldLoop / 1e6, newLoop / 1e6);
    assertThat(newLoop).isLessThan(oldLoop);
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
