package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static io.lockstep.storage.Fixtures.hardState;
import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lost vote of protocol-aware recovery: damage to the newest hard state is never silently
 * forgotten. A damaged last log record looks like a torn write and is cut, but the hard state's
 * copy still holds it; a damaged copy is reported as damage, so the protocol repairs before it
 * votes again.
 */
class HardStateCopyTest {
  @TempDir Path dir;

  private void store(List<StorageWrite> writes) throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      for (StorageWrite write : writes) {
        storage.write(List.of(write));
        storage.sync();
      }
    }
  }

  private Recovered recover() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      return storage.recover();
    }
  }

  private static void flipBit(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x10;
    Files.write(file, bytes);
  }

  @Test
  void aDamagedNewestHardStateRecordAtTheEndOfTheLogIsStillRecovered() throws IOException {
    store(List.of(hardState(1, 2), append(1, 5, 1), hardState(3, 3)));
    Path segment = SegmentLog.pathFor(dir, 1);
    flipBit(segment, Files.size(segment) - 3); // inside the last record: the vote in term 3
    Recovered recovered = recover();
    assertThat(recovered.hardState()).isEqualTo(hardState(3, 3));
    assertThat(recovered.damage()).isNull();
    assertThat(recovered.entries()).hasSize(5);
  }

  @Test
  void aDamagedCopyIsReportedAsDamageUntilAHardStateWrittenAfterItIsDurable() throws IOException {
    store(List.of(hardState(1, 2), append(1, 5, 2), hardState(4, 1)));
    flipBit(HardStateCopy.path(dir), 9);
    Recovered recovered = recover();
    assertThat(recovered.hardState()).as("the log's newest readable one")
        .isEqualTo(hardState(4, 1));
    Recovered.Damage damage = recovered.damage();
    assertThat(damage).isNotNull();
    assertThat(damage.description()).contains("the newest hard state is damaged")
        .contains("hard-state fails its checksum");
    assertThat(damage.damagedFrom()).isEqualTo(6);
    assertThat(damage.acknowledgedBound()).isEqualTo(5);
    assertThat(damage.maxTermSeen()).isEqualTo(2);
    assertThat(dir.resolve("hard-state.damaged")).exists();
    assertThat(recover().damage()).as("reported again: no hard state was written since")
        .isNotNull();

    store(List.of(hardState(5, -1)));
    Recovered repaired = recover();
    assertThat(repaired.damage()).isNull();
    assertThat(repaired.hardState()).isEqualTo(hardState(5, -1));
  }

  @Test
  void aCopyOlderThanTheLogAfterACrashBeforeItWasWrittenLosesToTheLog() throws IOException {
    store(List.of(hardState(1, 2), append(1, 5, 1)));
    byte[] older = Files.readAllBytes(HardStateCopy.path(dir));
    store(List.of(append(6, 8, 1), hardState(2, 3)));
    Files.write(HardStateCopy.path(dir), older); // as if the crash came before the new copy
    Recovered recovered = recover();
    assertThat(recovered.hardState()).isEqualTo(hardState(2, 3));
    assertThat(recovered.damage()).isNull();
  }

  @Test
  void aDirectoryWithoutACopyRecoversItsHardStateFromTheLog() throws IOException {
    store(List.of(hardState(2, 1), append(1, 3, 2)));
    Files.delete(HardStateCopy.path(dir));
    Recovered recovered = recover();
    assertThat(recovered.hardState()).isEqualTo(hardState(2, 1));
    assertThat(recovered.damage()).isNull();
  }
}
