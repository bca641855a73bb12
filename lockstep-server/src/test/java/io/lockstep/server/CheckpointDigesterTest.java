package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.executor.Executor;
import io.lockstep.executor.ExecutorConfig;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Context;
import io.lockstep.machine.SnapshotWriter;
import io.lockstep.order.CheckpointSeal;
import io.lockstep.order.Ordered;
import io.lockstep.order.SnapshotData;
import io.lockstep.replica.Checkpoint;
import io.lockstep.replica.CheckpointCapture;
import io.lockstep.request.Request;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import io.lockstep.storage.FileStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PBFT checkpoint's capture is encoded, digested and signed on the digester's thread, not the
 * loop's: the bytes are exactly the capture's encoding, the digest is their SHA-256 and the
 * signature the protocol's seal over that digest; a failed encoding stops the replica (the
 * capture was the only copy of that state).
 */
class CheckpointDigesterTest {
  /**
   * Applies nothing but its commands' bytes; its snapshot notes the thread writing it (also
   * {@link StateDigestsTest}'s machine).
   */
  static class ThreadNoting implements io.lockstep.machine.StateMachine {
    final AtomicReference<String> thread = new AtomicReference<>();
    final boolean fail;
    byte[] last = new byte[0];

    ThreadNoting(boolean fail) {
      this.fail = fail;
    }

    @Override
    public byte[] apply(byte[] command, Context context) {
      last = command.clone();
      return command;
    }

    @Override
    public byte[] query(byte[] query, ClientId caller) {
      return last;
    }

    @Override
    public byte[] snapshot() {
      return last.clone();
    }

    @Override
    public void restore(byte[] snapshot) {
      last = snapshot.clone();
    }

    @Override
    public SnapshotWriter captureSnapshot() {
      byte[] captured = last.clone();
      return out -> {
        thread.set(Thread.currentThread().getName());
        if (fail) {
          throw new IOException("encoding failed (injected)");
        }
        out.write(captured);
      };
    }
  }

  private static CheckpointCapture capture(ThreadNoting machine) {
    return capture(machine, null);
  }

  private static CheckpointCapture capture(ThreadNoting machine, CheckpointSeal seal) {
    Executor executor = new Executor(machine, ExecutorConfig.defaults(1));
    executor.apply(new Ordered(1, 1, Request.command(ClientId.of("a"), 1,
        "state at 1".getBytes(StandardCharsets.UTF_8))));
    return new CheckpointCapture(executor.captureSnapshot(), seal);
  }

  @Test
  void theEncodingIsTheCapturesBytesWithTheirSha256() throws Exception {
    SnapshotData digested = CheckpointDigester.encode(capture(new ThreadNoting(false)));
    byte[] expected = capture(new ThreadNoting(false)).snapshot().toByteArray();
    assertThat(digested.toByteArray()).isEqualTo(expected);
    assertThat(digested.sha256())
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));
    assertThat(digested.seal()).as("no seal: the protocol signs itself").isNull();
  }

  /** The buffer sized from the last encoding holds the same bytes, whether too small or not. */
  @Test
  void theExpectedSizeChangesOnlyTheBufferNotTheBytes() throws Exception {
    byte[] expected = capture(new ThreadNoting(false)).snapshot().toByteArray();
    for (long guess : new long[] {0, 1, expected.length, 10L * expected.length}) {
      SnapshotData digested = CheckpointDigester.encode(capture(new ThreadNoting(false)), guess);
      assertThat(digested.toByteArray()).as("guess " + guess).isEqualTo(expected);
      assertThat(digested.sha256()).as("guess " + guess)
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));
    }
  }

  @Test
  void aCaptureWithASealComesBackSignedOverItsDigest() throws Exception {
    CheckpointSeal reversed = sha -> {
      byte[] out = new byte[sha.length];
      for (int i = 0; i < sha.length; i++) {
        out[i] = sha[sha.length - 1 - i];
      }
      return out;
    };
    SnapshotData digested = CheckpointDigester.encode(capture(new ThreadNoting(false), reversed));
    assertThat(digested.seal()).isEqualTo(reversed.sign(digested.sha256()));
  }

  @Test
  void theSealIsCalledOnTheDigesterThreadAndItsFailureIsFatal() throws Exception {
    AtomicReference<String> signedOn = new AtomicReference<>();
    CheckpointSeal failing = sha -> {
      signedOn.set(Thread.currentThread().getName());
      throw new IllegalStateException("no signing key (injected)");
    };
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    try (CheckpointDigester digester = new CheckpointDigester(1, null, null, fatal::complete)) {
      digester.digest(capture(new ThreadNoting(false), failing), null);
      assertThat(fatal.get(10, TimeUnit.SECONDS)).hasMessageContaining("no signing key");
      assertThat(signedOn.get()).isEqualTo("lockstep-digest-1");
    }
  }

  @Test
  void aCaptureIsEncodedOnTheDigesterThreadAndAFailureIsFatal() throws Exception {
    ThreadNoting machine = new ThreadNoting(true);
    CheckpointCapture captured = capture(machine);
    CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    try (CheckpointDigester digester = new CheckpointDigester(1, null, null, fatal::complete)) {
      digester.digest(captured, null); // the loop is never told of a state that failed
      Throwable failure = fatal.get(10, TimeUnit.SECONDS);
      assertThat(failure).hasMessageContaining("checkpoint state at position 1 failed")
          .hasMessageContaining("encoding failed");
      assertThat(machine.thread.get()).isEqualTo("lockstep-digest-1");
    }
  }

  private static CheckpointCapture captureSavedAt(long index) {
    CheckpointCapture captured = capture(new ThreadNoting(false));
    return new CheckpointCapture(captured.snapshot(), null, index);
  }

  /**
   * A capture of a state above the size a snapshot file holds inline (1 MiB), which storage
   * would otherwise copy into a state file of its own.
   */
  private static CheckpointCapture largeCaptureSavedAt(long index) {
    ThreadNoting growing = new ThreadNoting(false) {
      @Override
      public byte[] apply(byte[] command, Context context) {
        byte[] joined = java.util.Arrays.copyOf(last, last.length + command.length);
        System.arraycopy(command, 0, joined, last.length, command.length);
        last = joined;
        return new byte[0];
      }
    };
    Executor executor = new Executor(growing, ExecutorConfig.defaults(1));
    for (int i = 1; i <= 2; i++) { // each command below the 1 MiB a request may carry
      executor.apply(new Ordered(i, i, Request.command(ClientId.of("a"), i, new byte[800_000])));
    }
    return new CheckpointCapture(executor.captureSnapshot(), null, index);
  }

  /**
   * In a replica the state goes to the file it will be saved as, digested on the way: nothing
   * of it stays on the heap, and saving it later only records that file (the same inode, not
   * written again by the log thread).
   */
  @Test
  void aStateIsWrittenToTheFileItIsSavedAsAndTheSaveOnlyRecordsIt(@TempDir Path dir)
      throws Exception {
    byte[] expected = largeCaptureSavedAt(640).snapshot().toByteArray();
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      SnapshotData stored = CheckpointDigester.store(largeCaptureSavedAt(640),
          storage.snapshotStateWriter());
      Path file = dir.resolve("snapshot-00000000000000000640.state");
      assertThat(Files.readAllBytes(file)).isEqualTo(expected);
      assertThat(stored.toByteArray()).isEqualTo(expected);
      assertThat(stored.sha256())
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));
      assertThat(stored.toString()).as("read from its file, not held in memory")
          .contains("snapshot-00000000000000000640.state");
      Object inode = Files.getAttribute(file, "unix:ino");

      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(640, 1, 0, List.of(1, 2, 3, 4), stored.pin().data()))));
      assertThat(Files.getAttribute(file, "unix:ino")).as("recorded, not written again")
          .isEqualTo(inode);
    }
    try (FileStorage reopened = FileStorage.open(dir)) {
      assertThat(reopened.recover().snapshot().data().toByteArray()).isEqualTo(expected);
    }
  }

  /**
   * A state written ahead and then passed over (a later checkpoint was saved first) is deleted
   * when the next one is written; recorded states and those above the newest recorded stay.
   */
  @Test
  void aStatePassedOverIsDeletedWhenTheNextIsWritten(@TempDir Path dir) throws Exception {
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      CheckpointDigester.store(captureSavedAt(640), storage.snapshotStateWriter());
      SnapshotData saved = CheckpointDigester.store(captureSavedAt(1280),
          storage.snapshotStateWriter());
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(1280, 1, 0, List.of(1, 2, 3, 4), saved))));
      CheckpointDigester.store(captureSavedAt(1920), storage.snapshotStateWriter());
      assertThat(dir.resolve("snapshot-00000000000000000640.state")).doesNotExist();
      assertThat(dir.resolve("snapshot-00000000000000001280.state")).exists();
      assertThat(dir.resolve("snapshot-00000000000000001920.state")).exists();
    }
  }

  /** A machine whose capture blocks its writer until released: the digest thread stays busy. */
  @Test
  void capturesBeyondTheBoundAreDroppedNotQueued() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ThreadNoting machine = new ThreadNoting(false) {
      @Override
      public SnapshotWriter captureSnapshot() {
        return out -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
      }
    };
    try (CheckpointDigester digester = new CheckpointDigester(1, null, null, e -> { })) {
      for (int i = 0; i < CheckpointDigester.MAX_PENDING; i++) {
        assertThat(digester.digest(capture(machine), null)).as("capture " + i).isTrue();
      }
      assertThat(digester.digest(capture(machine), null)).as("one too many").isFalse();
      release.countDown();
    }
  }

  /**
   * A capture marked compared carries the replica's divergence digest: the SHA-256 the checkpoint
   * took goes to divergence detection too, after the loop has the state; a plain one's does not.
   */
  @Test
  void aComparedCapturesDigestGoesToDivergenceDetectionAndAPlainOnesDoesNot() throws Exception {
    byte[] expected = capture(new ThreadNoting(false)).snapshot().toByteArray();
    List<Object> heard = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Checkpoint> compared = new CompletableFuture<>();
    try (CheckpointDigester digester = new CheckpointDigester(1, null, null, e -> { })) {
      digester.comparing(checkpoint -> {
        heard.add(checkpoint);
        compared.complete(checkpoint);
      });
      CheckpointCapture plain = capture(new ThreadNoting(false));
      CheckpointCapture marked = capture(new ThreadNoting(false));
      marked = new CheckpointCapture(marked.snapshot().compared(), null, marked.stateIndex());
      digester.digest(plain, (position, state) -> heard.add("state " + position));
      digester.digest(marked, (position, state) -> heard.add("state " + position));

      Checkpoint checkpoint = compared.get(10, TimeUnit.SECONDS);
      assertThat(checkpoint).isEqualTo(new Checkpoint(1, HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(expected))));
      assertThat(heard).as("one digest, the compared one's, after its state reached the loop")
          .containsExactly("state 1", "state 1", checkpoint);
    }
  }
}
