package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.SnapshotData;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * X2: a replica's own snapshot is streamed into a state file off the log thread, and the log
 * thread's snapshot file only refers to it; recovery checks the state and reads it lazily.
 */
class SnapshotStateFilesTest {
  private static final int STATE_BYTES = 3 << 20;

  @TempDir Path dir;

  private static byte[] state(long seed) {
    byte[] bytes = new byte[STATE_BYTES];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  private FileStorage opened() throws IOException {
    FileStorage storage = FileStorage.open(dir);
    storage.recover();
    return storage;
  }

  private Recovered reopen() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      return storage.recover();
    }
  }

  /** Streams the state in small pieces, as a state machine's writer would. */
  private static SnapshotData stored(FileStorage storage, long position, byte[] state)
      throws IOException {
    return storage.snapshotStateWriter().write(position, out -> {
      for (int i = 0; i < state.length; i += 1000) {
        out.write(state, i, Math.min(1000, state.length - i));
      }
    });
  }

  private List<String> files() throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("snapshot-"))
          .sorted().toList();
    }
  }

  @Test
  void aStoredStateIsRecordedByReferenceAndRecoveredWithoutLoadingIt() throws IOException {
    byte[] state = state(1);
    try (FileStorage storage = opened()) {
      storage.write(List.of(append(1, 20, 1)));
      storage.sync();
      SnapshotData data = stored(storage, 15, state);
      assertThat(data.size()).isEqualTo(state.length);
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(15, 1, 1_015, List.of(1, 2, 3), data))));
      storage.sync();
    }
    assertThat(files()).containsExactly("snapshot-00000000000000000015-00000000000000000001.snap",
        "snapshot-00000000000000000015.state");
    assertThat(Files.size(dir.resolve("snapshot-00000000000000000015-00000000000000000001.snap")))
        .as("the log thread writes a reference, not the state").isLessThan(200);
    Snapshot recovered = reopen().snapshot();
    assertThat(recovered.index()).isEqualTo(15);
    assertThat(recovered.members()).containsExactly(1, 2, 3);
    assertThat(recovered.data()).isInstanceOf(StoredState.class);
    assertThat(recovered.data().read(1000, 16)).isEqualTo(java.util.Arrays.copyOfRange(
        state, 1000, 1016));
    try (InputStream in = recovered.data().open()) {
      assertThat(in.readAllBytes()).isEqualTo(state);
    }
  }

  @Test
  void aDamagedStateFileIsNotUsedAndTheLogStandsInForIt() throws IOException {
    try (FileStorage storage = opened()) {
      storage.write(List.of(append(1, 20, 1)));
      SnapshotData data = stored(storage, 20, state(2));
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(20, 1, 1_020, List.of(1, 2, 3), data))));
      storage.sync();
    }
    Path stateFile = dir.resolve("snapshot-00000000000000000020.state");
    byte[] bytes = Files.readAllBytes(stateFile);
    bytes[STATE_BYTES / 2] ^= 1;
    Files.write(stateFile, bytes);
    // The snapshot kept the log it covers, so the log stands in for the damaged state.
    Recovered recovered = reopen();
    assertThat(recovered.snapshot()).isNull();
    assertThat(Fixtures.indexes(recovered)).hasSize(20);
    assertThat(files()).contains(
        "snapshot-00000000000000000020-00000000000000000001.snap.corrupt");
  }

  @Test
  void aDamagedStateWithNothingToStandInForItIsReportedLostNamingTheFile() throws IOException {
    try (FileStorage storage = opened()) {
      storage.write(List.of(append(1, 20, 1)));
      SnapshotData data = stored(storage, 25, state(6));
      // A leader's snapshot beyond the log replaces the whole log (Raft §7).
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(25, 2, 1_025, List.of(1, 2, 3), data))));
      storage.sync();
    }
    Path stateFile = dir.resolve("snapshot-00000000000000000025.state");
    Files.write(stateFile, java.util.Arrays.copyOf(Files.readAllBytes(stateFile), 100));
    // Protocol-aware recovery: the snapshot and the log after it are lost, to be repaired from
    // the leader; the damage names the file.
    Recovered recovered = reopen();
    assertThat(recovered.snapshot()).isNull();
    assertThat(recovered.entries()).isEmpty();
    assertThat(recovered.damage().damagedFrom()).isEqualTo(1);
    assertThat(recovered.damage().description())
        .contains("snapshot-00000000000000000025.state holds 100 bytes");
  }

  @Test
  void aStateNeverRecordedIsDeletedAtTheNextStartAndAnOlderOneAtCompaction()
      throws IOException {
    try (FileStorage storage = opened()) {
      storage.write(List.of(append(1, 40, 1)));
      SnapshotData first = stored(storage, 10, state(3));
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(10, 1, 1_010, List.of(1), first))));
      storage.sync();
      SnapshotData second = stored(storage, 30, state(4));
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(30, 1, 1_030, List.of(1), second))));
      storage.sync();
      assertThat(files()).doesNotContain("snapshot-00000000000000000010.state");
      stored(storage, 35, state(5)); // a crash before its SaveSnapshot was recorded
      Files.writeString(dir.resolve("snapshot-00000000000000000036.state.tmp"), "torn");
    }
    Recovered recovered = reopen();
    assertThat(recovered.snapshot().index()).isEqualTo(30);
    assertThat(files()).containsExactly("snapshot-00000000000000000030-00000000000000000001.snap",
        "snapshot-00000000000000000030.state");
  }

  @Test
  void aLargeReceivedSnapshotInMemoryIsStreamedIntoAStateFile() throws IOException {
    byte[] state = state(9);
    List<byte[]> pieces = List.of(java.util.Arrays.copyOfRange(state, 0, 1 << 20),
        java.util.Arrays.copyOfRange(state, 1 << 20, state.length));
    try (FileStorage storage = opened()) {
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(50, 3, 1_050, List.of(1, 2, 3), SnapshotData.ofPieces(pieces)))));
      storage.sync();
    }
    assertThat(files()).containsExactly("snapshot-00000000000000000050-00000000000000000003.snap",
        "snapshot-00000000000000000050.state");
    Snapshot recovered = reopen().snapshot();
    assertThat(recovered.state()).isEqualTo(state);
  }
}
