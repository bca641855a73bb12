package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.order.Recovered;
import io.lockstep.order.Role;
import io.lockstep.order.StorageWrite;
import io.lockstep.order.raft.Raft;
import io.lockstep.order.raft.RaftConfig;
import io.lockstep.order.raft.wire.RaftCodec;
import io.lockstep.redis.RedisOp;
import io.lockstep.redis.RedisOpCodec;
import io.lockstep.redis.RedisStore;
import io.lockstep.replica.QueryResult;
import io.lockstep.replica.Replica;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.storage.FileStorage;
import io.lockstep.storage.GroupCommitLog;
import io.lockstep.storage.StableStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop's central rule: nothing becomes visible before the fsync that covers it. */
class DurabilityTest {
  @TempDir Path dir;

  @Test
  void aReplyIsNeverReleasedBeforeTheSyncCoveringItsEntryReturns() throws Exception {
    GatedStorage storage = new GatedStorage(FileStorage.open(dir));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
        failed::set);
    ReplicaLoop loop = singleMemberLoop(storage, log, 1_000, failed);
    Thread thread = new Thread(loop, "test-loop");
    thread.start();
    try {
      tickUntil(loop, () -> loop.status().role() == Role.LEADER);
      storage.close(true);
      Recording origin = new Recording();
      loop.offerSubmit(set(1), origin);
      for (int i = 0; i < 40; i++) {
        loop.tick();
        Thread.sleep(5);
      }
      assertThat(loop.status().applied()).as("applied before the fsync: the leader counts"
          + " itself once its Ready was handed out").isGreaterThanOrEqualTo(2);
      assertThat(origin.replies).as("no reply while the sync is blocked").isEmpty();
      storage.close(false);
      tickUntil(loop, () -> !origin.replies.isEmpty());
      assertThat(origin.replies).hasSize(1);
      assertThat(storage.syncedWhenReleased).isTrue();
      assertThat(failed.get()).isNull();
    } finally {
      storage.close(false);
      loop.stop();
      thread.join();
      log.close();
      storage.close();
    }
  }

  @Test
  void aFailedSyncStopsTheLogAndReleasesNothingItCovered() throws Exception {
    GatedStorage storage = new GatedStorage(FileStorage.open(dir));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
        failed::set);
    ReplicaLoop loop = singleMemberLoop(storage, log, 1_000, failed);
    Thread thread = new Thread(loop, "test-loop");
    thread.start();
    try {
      tickUntil(loop, () -> loop.status().role() == Role.LEADER);
      storage.failSyncs = true;
      Recording origin = new Recording();
      loop.offerSubmit(set(1), origin);
      tickUntil(loop, () -> failed.get() != null);
      assertThat(failed.get()).hasMessageContaining("injected fsync failure");
      Thread.sleep(100);
      assertThat(origin.replies).as("nothing acknowledged after a failed fsync").isEmpty();
    } finally {
      loop.stop();
      thread.join();
      log.close();
      storage.close();
    }
  }

  @Test
  void aFullLoopQueueAnswersBusyInsteadOfGrowing() throws Exception {
    GatedStorage storage = new GatedStorage(FileStorage.open(dir));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
        failed::set);
    try {
      ReplicaLoop loop = singleMemberLoop(storage, log, 2, failed);
      Recording first = new Recording();
      Recording second = new Recording();
      Recording third = new Recording();
      loop.offerSubmit(set(1), first);
      loop.offerSubmit(set(2), second);
      loop.offerSubmit(set(3), third);
      assertThat(first.busy).isEmpty();
      assertThat(second.busy).isEmpty();
      assertThat(third.busy).containsExactly("replica overloaded: its loop queue is full");
      assertThat(loop.queueDepth()).isEqualTo(2);
    } finally {
      log.close();
      storage.close();
    }
  }

  private static ReplicaLoop singleMemberLoop(StableStorage storage, GroupCommitLog log,
      int queue, AtomicReference<Throwable> failed) throws IOException {
    Recovered recovered = storage.recover();
    Replica replica = new Replica(1, new Raft(RaftConfig.defaults(1, List.of(1)), recovered, 7),
        Replica.recover(new RedisStore(), ExecutorConfig.defaults(1), recovered), 0, 0);
    return new ReplicaLoop(replica, RaftCodec.INSTANCE, log, new ServerMetrics(1), queue, 60_000,
        id -> "", failed::set);
  }

  private static void tickUntil(ReplicaLoop loop, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long end = System.nanoTime() + 5_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      loop.tick();
      Thread.sleep(5);
    }
    assertThat(done.getAsBoolean()).as("condition reached within 5 s").isTrue();
  }

  private static Request set(long sequence) {
    return Request.command(ClientId.of("c"), sequence,
        RedisOpCodec.encode(RedisOp.Set.of("k".getBytes(), "v".getBytes())));
  }

  /** A storage whose sync can be held, recording whether a sync had completed. */
  static final class GatedStorage implements StableStorage {
    private final StableStorage delegate;
    private boolean gated;
    volatile boolean syncedWhenReleased;
    volatile boolean failSyncs;

    GatedStorage(StableStorage delegate) {
      this.delegate = delegate;
    }

    synchronized void close(boolean gate) {
      gated = gate;
      notifyAll();
    }

    @Override
    public Recovered recover() throws IOException {
      return delegate.recover();
    }

    @Override
    public void write(List<StorageWrite> writes) throws IOException {
      delegate.write(writes);
    }

    @Override
    public void sync() throws IOException {
      synchronized (this) {
        while (gated) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
          }
        }
      }
      if (failSyncs) {
        throw new IOException("injected fsync failure");
      }
      delegate.sync();
      syncedWhenReleased = true;
    }

    @Override
    public long syncs() {
      return delegate.syncs();
    }

    @Override
    public long syncNanos() {
      return delegate.syncNanos();
    }

    @Override
    public long bytesWritten() {
      return delegate.bytesWritten();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }

  /** Records what reaches a client. */
  static final class Recording implements Origin {
    final List<Reply> replies = new CopyOnWriteArrayList<>();
    final List<String> busy = new CopyOnWriteArrayList<>();

    @Override
    public void replied(Reply reply) {
      replies.add(reply);
    }

    @Override
    public void readResult(QueryResult result) {}

    @Override
    public void redirect(int leaderHint, String leaderAddress, String reason) {}

    @Override
    public void busy(String reason) {
      busy.add(reason);
    }
  }
}
