package io.lockstep.storage;

import static io.lockstep.storage.Fixtures.append;
import static io.lockstep.storage.Fixtures.hardState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wiped data directory looks like a first start; the operator says otherwise with a
 * {@code rejoin-empty} file, and the replica rejoins in repair mode (no vote, no counted
 * acknowledgement) until a hard state written after that is durable.
 */
class RejoinEmptyTest {
  @TempDir Path dir;

  private Recovered recover() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      return storage.recover();
    }
  }

  @Test
  void anEmptyDirectoryTheOperatorSaysWasLostIsReportedAsDamageUntilAHardStateFollows()
      throws IOException {
    assertThat(recover().damage()).as("a first start is not damage").isNull();
    Files.createFile(dir.resolve(FileStorage.REJOIN_EMPTY));
    Recovered recovered = recover();
    assertThat(recovered.damage()).isNotNull();
    assertThat(recovered.damage().damagedFrom()).isEqualTo(1);
    assertThat(recovered.damage().description()).contains("data directory was lost");
    assertThat(dir.resolve(FileStorage.REJOIN_EMPTY)).doesNotExist();
    assertThat(recover().damage()).as("the repair marker keeps it across restarts").isNotNull();
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(hardState(3, -1)));
      storage.sync();
    }
    assertThat(recover().damage()).isNull();
  }

  @Test
  void rejoinEmptyIsRefusedWhereDataIsStillThere() throws IOException {
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.<StorageWrite>of(hardState(1, 2), append(1, 3, 1)));
      storage.sync();
    }
    Files.createFile(dir.resolve(FileStorage.REJOIN_EMPTY));
    assertThatThrownBy(this::recover).isInstanceOf(IOException.class)
        .hasMessageContaining("rejoin-empty").hasMessageContaining("remove one or the other");
    assertThat(dir.resolve(FileStorage.REJOIN_EMPTY)).exists();
  }
}
