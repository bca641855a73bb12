package io.lockstep.storage;

import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.StorageWrite;
import io.lockstep.request.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Prints what one writer gets from the group-commit log on this machine's disk, for the notes:
 * pipelined appends/s and fsyncs/s, then the commit latency of one append at a time.
 *
 * <p>Run: {@code java -cp <test classpath> io.lockstep.storage.StorageProbe [seconds] [dir]}.
 */
public final class StorageProbe {
  private StorageProbe() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("probe");
    byte[] command = new byte[100];
    try (FileStorage storage = FileStorage.open(dir)) {
      long next = storage.recover().entries().size() + 1L;
      GroupCommitLog log = GroupCommitLog.start(storage, GroupCommitLog.Options.defaults(),
          e -> System.err.println("log failed: " + e));
      next = pipelined(storage, log, command, next, seconds);
      closedLoop(log, command, next, seconds);
      log.close();
    } finally {
      TornTailPropertiesTest.deleteTree(dir);
    }
  }

  private static StorageWrite.Append append(long index, byte[] command) {
    Request request = Request.command(ClientId.of("probe"), index, command);
    return new StorageWrite.Append(List.of(new LogEntry(index, 1, index, request)));
  }

  /** Keeps up to 1,024 appends in flight, as a leader with many clients would. */
  private static long pipelined(FileStorage storage, GroupCommitLog log, byte[] command,
      long first, int seconds) throws InterruptedException {
    Semaphore window = new Semaphore(1024);
    long syncs = storage.syncs();
    long syncNanos = storage.syncNanos();
    long batches = log.batches();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    long index = first;
    while (System.nanoTime() < deadline) {
      window.acquire();
      log.submit(List.of(append(index++, command)), window::release);
    }
    window.acquire(1024);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long appends = index - first;
    long fsyncs = storage.syncs() - syncs;
    System.out.printf("pipelined, 1 writer, 100-byte commands: %.0f appends/s, %.0f fsyncs/s,"
            + " %.1f appends per group commit, mean fsync %.3f ms%n",
        appends / elapsed, fsyncs / elapsed, (double) appends / (log.batches() - batches),
        (storage.syncNanos() - syncNanos) / 1e6 / Math.max(1, fsyncs));
    window.release(1024);
    return index;
  }

  /** One append at a time: the latency a single client sees from the disk alone. */
  private static void closedLoop(GroupCommitLog log, byte[] command, long first, int seconds)
      throws InterruptedException {
    long[] latencies = new long[1 << 20];
    int count = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long index = first;
    while (System.nanoTime() < deadline && count < latencies.length) {
      CountDownLatch durable = new CountDownLatch(1);
      long start = System.nanoTime();
      log.submit(List.of(append(index++, command)), durable::countDown);
      durable.await();
      latencies[count++] = System.nanoTime() - start;
    }
    long[] sorted = Arrays.copyOf(latencies, count);
    Arrays.sort(sorted);
    System.out.printf("closed loop, 1 append at a time: %.0f appends/s, commit latency p50 %.3f ms,"
            + " p99 %.3f ms%n", count / (double) seconds, sorted[count / 2] / 1e6,
        sorted[(int) (count * 0.99)] / 1e6);
  }
}
