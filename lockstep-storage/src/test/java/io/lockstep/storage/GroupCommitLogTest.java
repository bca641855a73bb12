package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitLogTest {
  @TempDir Path dir;

  /** Tracks which entry indexes were written and which were durable when sync returned. */
  static class Watched implements StableStorage {
    final StableStorage delegate;
    final AtomicLong written = new AtomicLong();
    final AtomicLong durable = new AtomicLong();
    final List<Long> writeOrder = new CopyOnWriteArrayList<>();

    Watched(StableStorage delegate) {
      this.delegate = delegate;
    }

    @Override
    public Recovered recover() throws IOException {
      return delegate.recover();
    }

    @Override
    public void write(List<StorageWrite> writes) throws IOException {
      delegate.write(writes);
      for (StorageWrite write : writes) {
        if (write instanceof StorageWrite.Append a) {
          a.entries().forEach(e -> writeOrder.add(e.index()));
          written.set(a.entries().get(a.entries().size() - 1).index());
        }
      }
    }

    @Override
    public void sync() throws IOException {
      long covered = written.get();
      delegate.sync();
      durable.set(covered);
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

  /** Four threads submit one append each time, in index order, checking each callback. */
  private static void submitFromFourThreads(GroupCommitLog log, Watched storage, int submissions,
      List<Long> callbackOrder, List<String> violations) throws Exception {
    Object sequencer = new Object();
    long[] next = {1};
    ExecutorService submitters = Executors.newFixedThreadPool(4);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      done.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < submissions / 4; i++) {
          synchronized (sequencer) {
            long index = next[0]++;
            log.submit(List.of(append(index, index, 1)), () -> {
              if (storage.durable.get() < index) {
                violations.add("callback " + index + " ran before it was durable");
              }
              callbackOrder.add(index);
            });
          }
        }
      }, submitters));
    }
    CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    submitters.shutdown();
  }

  @Test
  void manySubmissionsShareFewFsyncsAndEachCallbackRunsAfterItsWriteIsDurable() throws Exception {
    int submissions = 1_000;
    List<Long> callbackOrder = new CopyOnWriteArrayList<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    try (FileStorage files = FileStorage.open(dir)) {
      files.recover();
      Watched storage = new Watched(files);
      long syncsBefore = storage.syncs();
      GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
          failure -> violations.add("failed: " + failure));
      submitFromFourThreads(log, storage, submissions, callbackOrder, violations);
      log.close();
      long fsyncs = storage.syncs() - syncsBefore;
      assertThat(violations).isEmpty();
      assertThat(callbackOrder).hasSize(submissions).isSorted();
      assertThat(storage.writeOrder).isEqualTo(callbackOrder);
      assertThat(log.completed()).isEqualTo(submissions);
      assertThat(fsyncs).as("fsyncs for %d submissions", submissions)
          .isLessThan(submissions / 4);
      assertThat(log.batches()).isLessThan(submissions / 4);
      assertThat(log.largestBatch()).isGreaterThan(1);
    }
    try (FileStorage reopened = FileStorage.open(dir)) {
      assertThat(reopened.recover().entries()).hasSize(submissions);
    }
  }

  /** A disk whose {@code nth} and later fsyncs fail, counting them all in {@code forces}. */
  private static Disk failingFrom(int nth, AtomicInteger forces) {
    return new Disk() {
      @Override
      void forceChannel(FileChannel channel, boolean metadata) throws IOException {
        if (forces.incrementAndGet() >= nth) {
          throw new IOException("injected fsync failure");
        }
        super.forceChannel(channel, metadata);
      }
    };
  }

  @Test
  void failedFsyncStopsTheLogReportsOnceAndNeverAcknowledges() throws Exception {
    AtomicInteger forces = new AtomicInteger();
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    List<Long> acknowledged = new CopyOnWriteArrayList<>();
    CountDownLatch failed = new CountDownLatch(1);
    try (FileStorage storage = FileStorage.open(dir, FileStorage.Options.defaults(),
        failingFrom(3, forces))) {
      storage.recover();
      GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(), e -> {
        reported.add(e);
        failed.countDown();
      });
      for (long i = 1; i <= 10 && failed.getCount() > 0; i++) {
        long index = i;
        try {
          log.submit(List.of(append(index, index, 1)), () -> acknowledged.add(index));
        } catch (LogStoppedException expectedOnceTheFsyncFailed) {
          break;
        }
        Thread.sleep(5);
      }
      assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> log.submit(List.of(append(99, 99, 1)), () -> { }))
          .isInstanceOf(LogStoppedException.class)
          .hasMessageContaining("injected fsync failure");
      log.close();
      assertThat(reported).hasSize(1);
      assertThat(reported.get(0)).hasMessageContaining("injected fsync failure");
      assertThat(log.failure()).isSameAs(reported.get(0));
      assertThat(forces.get()).as("a failed fsync is never retried").isEqualTo(3);
      assertThat(acknowledged).hasSizeLessThan(10);
    }
    try (FileStorage reopened = FileStorage.open(dir)) {
      List<Long> durable = Fixtures.indexes(reopened.recover());
      assertThat(durable).containsAll(acknowledged);
    }
  }

  /** A storage whose sync blocks until released (a stalled disk). */
  private static Watched stalling(FileStorage files, CountDownLatch syncing,
      CountDownLatch release) {
    return new Watched(files) {
      @Override
      public void sync() throws IOException {
        syncing.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        super.sync();
      }
    };
  }

  @Test
  void aFullQueueMakesSubmitWaitForTheSlowDiskInsteadOfFailing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch syncing = new CountDownLatch(1);
    try (FileStorage files = FileStorage.open(dir)) {
      files.recover();
      List<Long> acknowledged = new CopyOnWriteArrayList<>();
      GroupCommitLog log = GroupCommitLog.start(stalling(files, syncing, release),
          new GroupCommitLog.Options(2, Duration.ofSeconds(10)), e -> { });
      log.submit(List.of(append(1, 1, 1)), () -> acknowledged.add(1L));
      assertThat(syncing.await(10, TimeUnit.SECONDS)).isTrue();
      log.submit(List.of(append(2, 2, 1)), () -> acknowledged.add(2L));
      assertThat(log.congested()).as("half the queue taken").isTrue();
      log.submit(List.of(append(3, 3, 1)), () -> acknowledged.add(3L));
      CompletableFuture<Void> fourth = CompletableFuture.runAsync(
          () -> log.submit(List.of(append(4, 4, 1)), () -> acknowledged.add(4L)));
      Thread.sleep(1_300);
      assertThat(fourth).as("waits past the old one-second limit, no error").isNotDone();
      assertThat(log.stalledNanos()).isGreaterThan(1_000_000_000L);
      assertThat(log.slowSubmits()).isEqualTo(1);
      release.countDown();
      fourth.get(10, TimeUnit.SECONDS);
      log.close();
      assertThat(acknowledged).containsExactly(1L, 2L, 3L, 4L);
      assertThat(log.failure()).isNull();
      assertThat(log.stalledNanos()).isZero();
    }
    try (FileStorage reopened = FileStorage.open(dir)) {
      assertThat(Fixtures.indexes(reopened.recover())).containsExactly(1L, 2L, 3L, 4L);
    }
  }

  @Test
  void closeGivesUpOnAStuckDiskWithinItsTimeoutAndAcknowledgesNothingMore() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch syncing = new CountDownLatch(1);
    try (FileStorage files = FileStorage.open(dir)) {
      files.recover();
      List<Long> acknowledged = new CopyOnWriteArrayList<>();
      GroupCommitLog log = GroupCommitLog.start(stalling(files, syncing, release),
          new GroupCommitLog.Options(1, Duration.ofMillis(300)), e -> { });
      log.submit(List.of(append(1, 1, 1)), () -> acknowledged.add(1L));
      assertThat(syncing.await(10, TimeUnit.SECONDS)).isTrue();
      log.submit(List.of(append(2, 2, 1)), () -> acknowledged.add(2L));
      CompletableFuture<Void> blocked = CompletableFuture.runAsync(
          () -> log.submit(List.of(append(3, 3, 1)), () -> acknowledged.add(3L)));
      long start = System.nanoTime();
      log.close();
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(tookMillis).isBetween(250L, 5_000L);
      assertThat(log.stopped()).as("the thread is still inside the stuck sync").isFalse();
      assertThatThrownBy(() -> blocked.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(LogStoppedException.class);
      assertThat(acknowledged).isEmpty();
      release.countDown();
      long until = System.nanoTime() + 10_000_000_000L;
      while (!log.stopped() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertThat(log.stopped()).isTrue();
    }
  }

  @Test
  void submissionWithoutWritesWaitsForEarlierOnesAndCloseDrainsTheQueue() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
          e -> events.add("failed"));
      log.submit(List.of(append(1, 5, 1)), () -> events.add("append"));
      log.submit(List.of(), () -> events.add("empty"));
      log.close();
      assertThat(events).containsExactly("append", "empty");
      assertThatThrownBy(() -> log.submit(List.of(), () -> { }))
          .isInstanceOf(LogStoppedException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void throwingCallbackStopsTheLogAndIsReported() throws Exception {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
          reported::set);
      log.submit(List.of(append(1, 1, 1)), () -> {
        throw new IllegalStateException("runtime bug");
      });
      log.close();
      assertThat(reported.get()).hasMessage("runtime bug");
    }
  }

  @Test
  void optionsRejectNonsense() {
    assertThatThrownBy(() -> new GroupCommitLog.Options(0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
    assertThatThrownBy(() -> new GroupCommitLog.Options(1, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("closeTimeout");
  }
}
