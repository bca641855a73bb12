package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.SnapshotReceiver;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot received from a peer goes to the data directory chunk by chunk (X2): the file grows
 * as chunks arrive, the last chunk makes it the state file of a snapshot at that index, the
 * protocol's SaveSnapshot records it by reference, and recovery finds it; an abandoned or
 * interrupted transfer leaves nothing behind.
 */
class ReceivedSnapshotsTest {
  private static final int CHUNK = 1 << 20;

  @TempDir Path dir;

  private static byte[] state(int size) {
    byte[] bytes = new byte[size];
    new SplittableRandom(3).nextBytes(bytes);
    return bytes;
  }

  private FileStorage opened() throws IOException {
    FileStorage storage = FileStorage.open(dir);
    storage.recover();
    return storage;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("snapshot-"))
          .sorted().toList();
    }
  }

  private static void appendChunks(SnapshotReceiver.Incoming incoming, byte[] state, int from,
      int to) {
    for (int offset = from; offset < to; offset += CHUNK) {
      incoming.append(Arrays.copyOfRange(state, offset, Math.min(to, offset + CHUNK)));
    }
  }

  @Test
  void chunksAreWrittenToAFileAsTheyArriveAndTheStateIsRecordedByReference() throws IOException {
    byte[] state = state(3 * CHUNK + 12_345);
    try (FileStorage storage = opened()) {
      storage.write(List.of(append(1, 5, 1)));
      storage.sync();
      SnapshotReceiver.Incoming incoming = storage.snapshotReceiver().begin(40, 2, state.length);
      appendChunks(incoming, state, 0, 2 * CHUNK);
      Path part = ReceivedSnapshots.partPath(dir, 40);
      assertThat(Files.size(part)).as("the received bytes are on disk, not held back")
          .isEqualTo(2L * CHUNK);
      assertThat(incoming.received()).isEqualTo(2L * CHUNK);
      appendChunks(incoming, state, 2 * CHUNK, state.length);
      SnapshotData data = incoming.complete();
      assertThat(data).isInstanceOf(StoredState.class);
      assertThat(files()).containsExactly("snapshot-00000000000000000040.state");
      try (InputStream in = data.open()) {
        assertThat(in.readAllBytes()).isEqualTo(state);
      }
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(40, 2, 4_000, List.of(1, 2, 3), data))));
      storage.sync();
    }
    assertThat(Files.size(dir.resolve("snapshot-00000000000000000040-00000000000000000002.snap")))
        .as("the save writes a reference, not a second copy of the state").isLessThan(200);
    try (FileStorage storage = FileStorage.open(dir)) {
      Snapshot recovered = storage.recover().snapshot();
      assertThat(recovered.index()).isEqualTo(40);
      assertThat(recovered.data().size()).isEqualTo(state.length);
      assertThat(recovered.data().read(3 * CHUNK, 100))
          .isEqualTo(Arrays.copyOfRange(state, 3 * CHUNK, 3 * CHUNK + 100));
    }
  }

  @Test
  void anAbandonedTransferLeavesNoFileAndBeginningAgainStartsFromNothing() throws IOException {
    byte[] state = state(2 * CHUNK);
    try (FileStorage storage = opened()) {
      SnapshotReceiver receiver = storage.snapshotReceiver();
      SnapshotReceiver.Incoming first = receiver.begin(9, 1, state.length);
      appendChunks(first, state, 0, CHUNK);
      first.abandon();
      assertThat(files()).isEmpty();
      assertThatThrownBy(() -> first.append(new byte[1]))
          .isInstanceOf(IllegalStateException.class);
      SnapshotReceiver.Incoming again = receiver.begin(9, 1, state.length);
      appendChunks(again, state, 0, CHUNK);
      SnapshotReceiver.Incoming restarted = receiver.begin(9, 1, state.length);
      appendChunks(restarted, state, 0, state.length);
      try (InputStream in = restarted.complete().open()) {
        assertThat(in.readAllBytes()).isEqualTo(state);
      }
    }
  }

  @Test
  void aTransferCutByACrashIsDeletedAtTheNextStartAndAnUnsavedStateToo() throws IOException {
    byte[] state = state(2 * CHUNK);
    try (FileStorage storage = opened()) {
      appendChunks(storage.snapshotReceiver().begin(7, 1, state.length), state, 0, CHUNK);
      SnapshotReceiver.Incoming done = storage.snapshotReceiver().begin(8, 1, state.length);
      appendChunks(done, state, 0, state.length);
      done.complete(); // never saved: the crash came before the SaveSnapshot
    }
    assertThat(files()).containsExactly("snapshot-00000000000000000007.received.tmp",
        "snapshot-00000000000000000008.state");
    try (FileStorage storage = FileStorage.open(dir)) {
      assertThat(storage.recover().snapshot()).isNull();
    }
    assertThat(files()).isEmpty();
  }

  @Test
  void aChunkPastTheAnnouncedSizeOrAnEarlyCompleteIsRefused() throws IOException {
    try (FileStorage storage = opened()) {
      SnapshotReceiver.Incoming incoming = storage.snapshotReceiver().begin(3, 1, 10);
      incoming.append(new byte[6]);
      assertThatThrownBy(() -> incoming.append(new byte[5]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overruns");
      assertThatThrownBy(incoming::complete).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("6 of 10 bytes");
    }
  }
}
