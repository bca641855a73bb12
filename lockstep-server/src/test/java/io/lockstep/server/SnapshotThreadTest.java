package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.SnapshotWriter;
import io.lockstep.order.Ordered;
import io.lockstep.order.SnapshotData;
import io.lockstep.replica.Checkpoint;
import io.lockstep.request.Request;
import io.lockstep.storage.FileStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot is written on the snapshot thread, not the caller's, and a failed write stops the
 * replica rather than being ignored: its disk can no longer be trusted. A compared capture's
 * digest is taken from the very bytes stored.
 */
class SnapshotThreadTest {
  @TempDir Path dir;

  /** A machine whose snapshot notes the name of the thread writing it, then fails. */
  private static final class ThreadNoting implements io.lockstep.machine.StateMachine {
    final AtomicReference<String> thread = new AtomicReference<>();

    @Override
    public byte[] apply(byte[] command, Context context) {
      return command;
    }

    @Override
    public byte[] query(byte[] query, ClientId caller) {
      return query;
    }

    @Override
    public byte[] snapshot() {
      return new byte[0];
    }

    @Override
    public void restore(byte[] snapshot) {}

    @Override
    public SnapshotWriter captureSnapshot() {
      return out -> {
        thread.set(Thread.currentThread().getName());
        throw new IOException("disk gone (injected)");
      };
    }
  }

  @Test
  void theSnapshotIsWrittenOnTheSnapshotThreadAndAFailedWriteIsFatal() throws Exception {
    ThreadNoting machine = new ThreadNoting();
    Executor executor = new Executor(machine, ExecutorConfig.defaults(1));
    executor.apply(new Ordered(1, 1, Request.command(ClientId.of("a"), 1, new byte[] {1})));
    CapturedSnapshot captured = executor.captureSnapshot();
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    try (FileStorage storage = FileStorage.open(dir);
        SnapshotThread thread = new SnapshotThread(1, storage.snapshotStateWriter(),
            new ServerMetrics(1), fatal::complete)) {
      storage.recover();
      thread.write(captured, (position, state) -> {}); // never told of a snapshot that failed

      Throwable failure = fatal.get(10, TimeUnit.SECONDS);
      assertThat(failure).hasMessageContaining("writing the snapshot at position 1 failed")
          .hasMessageContaining("disk gone");
      assertThat(machine.thread.get()).isEqualTo("lockstep-snapshot-1");
    }
  }

  @Test
  void aComparedSnapshotsDigestIsTheSha256OfTheFileStoredAndArrivesOnceItIsStored()
      throws Exception {
    Executor executor = new Executor(new CounterMachine(), ExecutorConfig.defaults(1));
    executor.apply(new Ordered(1, 1, Request.command(ClientId.of("a"), 1,
        ByteBuffer.allocate(8).putLong(41).array())));
    String separately = executor.digest();
    CapturedSnapshot compared = executor.captureSnapshot().compared();
    CapturedSnapshot plain = executor.captureSnapshot();
    CompletableFuture<SnapshotData> stored = new CompletableFuture<>();
    CompletableFuture<Checkpoint> digested = new CompletableFuture<>();
    try (FileStorage storage = FileStorage.open(dir);
        SnapshotThread thread = new SnapshotThread(1, storage.snapshotStateWriter(),
            new ServerMetrics(1), Throwable::printStackTrace)) {
      storage.recover();
      thread.comparing(checkpoint -> {
        assertThat(stored).as("the file is durable first").isDone();
        digested.complete(checkpoint);
      });
      thread.write(compared, (position, state) -> stored.complete(state));

      Checkpoint checkpoint = digested.get(10, TimeUnit.SECONDS);
      assertThat(checkpoint).isEqualTo(new Checkpoint(1, separately));
      assertThat(sha256(stored.get())).isEqualTo(separately);

      CompletableFuture<SnapshotData> plainStored = new CompletableFuture<>();
      thread.comparing(checkpoint2 -> plainStored.completeExceptionally(
          new AssertionError("a capture not compared was digested")));
      thread.write(plain, (position, state) -> plainStored.complete(state));
      assertThat(sha256(plainStored.get(10, TimeUnit.SECONDS))).isEqualTo(separately);
    }
  }

  private static String sha256(SnapshotData data) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(data.open(), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
