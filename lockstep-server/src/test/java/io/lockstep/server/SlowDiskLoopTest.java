package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.raft.Raft;
import io.lockstep.order.raft.RaftConfig;
import io.lockstep.order.raft.wire.RaftCodec;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.redis.RedisStore;
import io.lockstep.replica.Replica;
import io.lockstep.request.Request;
import io.lockstep.storage.FileStorage;
import io.lockstep.storage.GroupCommitLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slow disk is back-pressure, not death: with a tiny group-commit queue and an fsync stalled
 * for 2.5 s, the loop refuses new proposals with a retryable "busy" and waits for the disk,
 * instead of failing the replica once the queue has been full for a second.
 */
class SlowDiskLoopTest {
  @TempDir Path dir;

  @Test
  void aStalledFsyncWithAFullLogQueueSlowsTheLoopAndAnswersBusyButNeverKillsIt()
      throws Exception {
    DurabilityTest.GatedStorage storage = new DurabilityTest.GatedStorage(FileStorage.open(dir));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    GroupCommitLog log = GroupCommitLog.start(storage,
        new GroupCommitLog.Options(4, Duration.ofSeconds(5)), failed::set);
    Recovered recovered = storage.recover();
    Replica replica = new Replica(1, new Raft(RaftConfig.defaults(1, List.of(1)), recovered, 7),
        Replica.recover(new RedisStore(), ExecutorConfig.defaults(1), recovered), 0, 0);
    ReplicaLoop loop = new ReplicaLoop(replica, RaftCodec.INSTANCE, log, new ServerMetrics(1),
        1_000, 60_000, id -> "", failed::set);
    Thread thread = new Thread(loop, "test-loop");
    thread.start();
    List<DurabilityTest.Recording> origins = new ArrayList<>();
    try {
      await(loop, () -> loop.status().role() == Role.LEADER);
      storage.close(true);
      long stallEnd = System.nanoTime() + 2_500_000_000L;
      for (int i = 0; System.nanoTime() < stallEnd; i++) {
        DurabilityTest.Recording origin = new DurabilityTest.Recording();
        origins.add(origin);
        loop.offerSubmit(set(i), origin);
        loop.tick();
        Thread.sleep(2);
      }
      assertThat(failed.get()).as("still alive after a 2.5 s stall").isNull();
      storage.close(false);
      await(loop, () -> origins.stream().allMatch(o -> !o.replies.isEmpty() || !o.busy.isEmpty()));
      assertThat(failed.get()).isNull();
      assertThat(origins.stream().filter(o -> o.busy.stream().anyMatch(
          b -> b.contains("disk is behind") || b.contains("loop queue is full"))))
          .as("new work was refused retryably while the disk lagged").isNotEmpty();
      assertThat(origins.stream().filter(o -> !o.replies.isEmpty()))
          .as("work accepted before the stall was committed").isNotEmpty();
      DurabilityTest.Recording after = new DurabilityTest.Recording();
      loop.offerSubmit(set(1_000_000), after);
      await(loop, () -> !after.replies.isEmpty());
    } finally {
      storage.close(false);
      loop.stop();
      thread.join();
      log.close();
      storage.close();
    }
  }

  private static void await(ReplicaLoop loop, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long end = System.nanoTime() + 20_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      loop.tick();
      Thread.sleep(5);
    }
    assertThat(done.getAsBoolean()).as("condition reached within 20 s").isTrue();
  }

  private static Request set(int client) {
    return Request.command(ClientId.of("c" + client), 1,
        RedisOpCodec.encode(RedisOp.Set.of("k".getBytes(), "v".getBytes())));
  }
}
