package io.lockstep.server;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.replica.Checkpoint;
import io.lockstep.replica.CheckpointCapture;
import io.lockstep.storage.SnapshotStateWriter;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The thread that writes a replica's own snapshots (X2): it streams a capture taken on the loop
 * into a state file, forces it, and reports it to the loop. Neither the loop (which goes on
 * applying requests) nor the log thread (which goes on with group commits) waits for it.
 *
 * <p>At most one snapshot is written at a time: the replica captures no other until it has heard
 * that this one is stored. A failed write stops the replica, as a failed fsync does
 * rather than lie: its disk can no longer be trusted.
 *
 * <p>It also owns the {@link CheckpointDigester}, which encodes and digests the captures a
 * Byzantine protocol's checkpoints take, on a thread of its own.
 *
 * <p>Its log line reports the thread's CPU time beside the elapsed time, which tells a snapshot
 * that waits for the disk (the writer forces the file as it goes) from one that competes for the
 * CPU with the loop, log and network threads.
 */
final class SnapshotThread implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SnapshotThread.class.getName());
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private final int replica;
  private final SnapshotStateWriter writer;
  private final ServerMetrics metrics;
  private final Consumer<Throwable> fatal;
  private final ExecutorService thread;
  /** PBFT's checkpoint captures go to their own thread, not behind a snapshot being written. */
  private final CheckpointDigester digester;
  private volatile boolean closed;
  private volatile Consumer<Checkpoint> compared = checkpoint -> {};

  SnapshotThread(int replica, SnapshotStateWriter writer, ServerMetrics metrics,
      Consumer<Throwable> fatal) {
    this.replica = replica;
    this.writer = writer;
    this.metrics = metrics;
    this.fatal = fatal;
    this.digester = new CheckpointDigester(replica, writer, metrics, fatal);
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lockstep-snapshot-" + replica);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * From now on the digests of the {@link CapturedSnapshot#isCompared() compared} snapshots this
   * thread writes, and of the compared checkpoint captures its digester encodes, go to
   * {@code compared} (divergence detection), once each file is durable.
   */
  void comparing(Consumer<Checkpoint> compared) {
    this.compared = compared;
    digester.comparing(compared);
  }

  /** Who hears that a snapshot is durable: the loop ({@link ReplicaLoop#offerSnapshotStored}). */
  @FunctionalInterface
  interface Stored {
    void stored(long position, SnapshotData state) throws InterruptedException;
  }

  /**
   * Writes {@code captured} and tells {@code loop} once it is durable; a compared capture's
   * digest is taken from the bytes written, in the same pass.
   */
  void write(CapturedSnapshot captured, Stored loop) {
    thread.execute(() -> {
      long start = System.nanoTime();
      long cpuStart = CPU.getCurrentThreadCpuTime();
      try {
        String[] digest = new String[1];
        SnapshotData stored = writer.write(captured.position(), out -> {
          if (captured.isCompared()) {
            digest[0] = captured.writeDigestedTo(out);
          } else {
            captured.writeTo(out);
          }
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        long cpuMillis = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
        metrics.snapshotWritten(stored.size(), System.nanoTime() - start);
        LOG.log(Level.INFO, "event=snapshot_stored replica=" + replica + " position="
            + captured.position() + " bytes=" + stored.size() + " millis=" + millis
            + " cpu_millis=" + cpuMillis);
        loop.stored(captured.position(), stored);
        if (digest[0] != null) {
          compared.accept(new Checkpoint(captured.position(), digest[0]));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception | Error e) {
        if (closed) {
          // Interrupted by a shutdown: the temporary file is deleted at the next start.
          LOG.log(Level.INFO, "event=snapshot_abandoned replica=" + replica + " position="
              + captured.position() + " reason=\"replica stopping\"");
          return;
        }
        fatal.accept(new IllegalStateException("writing the snapshot at position "
            + captured.position() + " failed: " + e, e));
      }
    });
  }

  /** Encodes, digests and signs a checkpoint capture off the loop ({@link CheckpointDigester}). */
  void digest(CheckpointCapture captured, ReplicaLoop loop) {
    digester.digest(captured, loop::offerCheckpointDigested); // a drop is logged there
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.shutdownNow();
    digester.close();
    thread.awaitTermination(10, TimeUnit.SECONDS);
  }
}
