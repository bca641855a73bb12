package io.lockstep.server;

import io.lockstep.order.CheckpointSeal;
import io.lockstep.order.SnapshotData;
import io.lockstep.replica.Checkpoint;
import io.lockstep.replica.CheckpointCapture;
import io.lockstep.storage.SnapshotStateWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The thread that encodes and digests a Byzantine protocol's checkpoint captures (PBFT §4.3),
 * off the loop thread: the loop captures the executor's state by reference right after the
 * Ready that executed the checkpoint's sequence number and goes on ordering; this thread
 * streams the capture through SHA-256 into the state file it will be saved as (named by the
 * index the protocol gives it, {@link CheckpointCapture#stateIndex()}), forces the file, signs
 * the checkpoint with the protocol's {@link io.lockstep.order.CheckpointSeal} when the capture
 * came with one, and posts the file with its digest and signature back to the loop, where the
 * protocol's vote leaves. Encoding, sorting and hashing the whole state on the loop was over
 * half its time under a PBFT load, and signing the vote there (Ed25519) another twentieth
 * (docs/BENCHMARKS.md).
 *
 * <p>Into a file, not into memory: the state kept as an array cost the heap two or three
 * copies of the whole state per checkpoint (the growing buffer, the array handed over, the
 * previous checkpoint's), and the log thread then wrote and forced that array between two
 * group commits. With a state of tens of megabytes the young collections copying those arrays
 * and the full collections they caused paused replicas past the request time-outs, and view
 * changes followed one another (docs/BENCHMARKS.md, "Checkpoint states in files"). Now the
 * protocol holds the file (pinned while it serves it) and the save only records it.
 *
 * <p>Its own thread, not the snapshot writer's: a periodic snapshot being written and forced
 * must not hold up a checkpoint, which holds up the low watermark and so the window. Captures
 * are digested one at a time in the order taken, so their results reach the loop in order.
 *
 * <p>A capture {@link io.lockstep.executor.CapturedSnapshot#isCompared() marked compared} also
 * carries the replica's divergence digest (S1): its SHA-256 goes to divergence detection as well,
 * so under PBFT a divergence digest costs no pass over the state of its own.
 */
final class CheckpointDigester implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(CheckpointDigester.class.getName());

  /**
   * Captures waiting or being encoded, at most. One is taken per K executed sequence numbers
   * and each takes milliseconds, so more than a few means this thread cannot keep up; the
   * protocol's own window holds only 2L/K + 2 of them (6 at the defaults), so a few more are
   * never needed.
   */
  static final int MAX_PENDING = 8;

  private final int replica;
  private final Consumer<Throwable> fatal;
  private final java.util.concurrent.atomic.AtomicInteger pending =
      new java.util.concurrent.atomic.AtomicInteger();
  private final ExecutorService thread;
  private volatile boolean closed;
  private volatile Consumer<Checkpoint> compared = checkpoint -> {};

  /** Where states are written; null keeps them in memory (tests of the encoding alone). */
  private final SnapshotStateWriter files;
  /** Told of each state file's size and time, as for Raft's snapshots; null in tests. */
  private final ServerMetrics metrics;

  CheckpointDigester(int replica, SnapshotStateWriter files, ServerMetrics metrics,
      Consumer<Throwable> fatal) {
    this.replica = replica;
    this.files = files;
    this.metrics = metrics;
    this.fatal = fatal;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lockstep-digest-" + replica);
      t.setDaemon(true);
      return t;
    });
  }

  /** From now on the digests of compared captures go to {@code compared}. */
  void comparing(Consumer<Checkpoint> compared) {
    this.compared = compared;
  }

  /**
   * Encodes, digests and signs {@code captured} and hands the result to {@code loop}; false,
   * with the reason logged, if {@link #MAX_PENDING} captures are already waiting: the capture is
   * dropped, so this replica does not vote for that checkpoint (it takes the others' proof, as
   * a replica whose vote was lost does), and its memory is not held.
   */
  boolean digest(CheckpointCapture captured, SnapshotThread.Stored loop) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      LOG.log(Level.WARNING, "event=checkpoint_capture_dropped replica=" + replica
          + " position=" + captured.position() + " reason=\"" + MAX_PENDING
          + " captures already waiting for the digest thread\"");
      return false;
    }
    thread.execute(() -> {
      try {
        long start = System.nanoTime();
        SnapshotData encoded = files == null ? encode(captured) : store(captured, files);
        if (metrics != null) {
          metrics.snapshotWritten(encoded.size(), System.nanoTime() - start);
        }
        loop.stored(captured.position(), encoded);
        if (captured.snapshot().isCompared()) {
          compared.accept(new Checkpoint(captured.position(),
              HexFormat.of().formatHex(encoded.sha256())));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | IOException | Error e) {
        if (closed) {
          LOG.log(Level.INFO, "event=checkpoint_digest_abandoned replica=" + replica
              + " position=" + captured.position() + " reason=\"replica stopping\"");
          return;
        }
        // The capture is the only copy of that state: without it this replica can never vote
        // for the checkpoint, so it stops rather than go on silently.
        fatal.accept(new IllegalStateException("encoding the checkpoint state at position "
            + captured.position() + " failed: " + e, e));
      } finally {
        pending.decrementAndGet();
      }
    });
    return true;
  }

  /**
   * The capture written to its durable state file, with the SHA-256 taken in the same pass and
   * the protocol's signature over it when the capture has a seal. Unrecorded state files of
   * earlier checkpoints that the protocol passed over are deleted here, where they are made.
   */
  static SnapshotData store(CheckpointCapture captured, SnapshotStateWriter files)
      throws IOException {
    MessageDigest sha = sha256();
    SnapshotData stored = files.write(captured.stateIndex(),
        out -> captured.snapshot().writeTo(new DigestOutputStream(out, sha)));
    files.deleteUnrecordedBelowNewest();
    return sealed(stored, sha.digest(), captured.seal());
  }

  private static SnapshotData sealed(SnapshotData data, byte[] digest, CheckpointSeal seal) {
    return SnapshotData.digested(data, digest, seal == null ? null : seal.sign(digest.clone()));
  }

  /**
   * The capture's bytes in memory and their SHA-256, in one pass over the encoding, and the
   * protocol's signature over them when the capture has a seal: what a digester without a
   * state directory hands over (tests), and the reference encoding tests and
   * {@code CheckpointLoopCostBench} compare the files with.
   */
  static SnapshotData encode(CheckpointCapture captured) throws IOException {
    return encode(captured, 0);
  }

  /** The same, into a buffer sized for a state of about {@code expectedSize} bytes. */
  static SnapshotData encode(CheckpointCapture captured, long expectedSize) throws IOException {
    MessageDigest sha = sha256();
    long room = expectedSize + expectedSize / 8 + 64 * 1024;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(
        (int) Math.min(room, SnapshotData.MAX_ARRAY_BYTES));
    try (OutputStream out = new DigestOutputStream(bytes, sha)) {
      captured.snapshot().writeTo(out);
    }
    byte[] digest = sha.digest();
    CheckpointSeal seal = captured.seal();
    return seal == null ? SnapshotData.digested(bytes.toByteArray(), digest)
        : SnapshotData.digested(bytes.toByteArray(), digest, seal.sign(digest.clone()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.shutdownNow();
    thread.awaitTermination(10, TimeUnit.SECONDS);
  }
}
