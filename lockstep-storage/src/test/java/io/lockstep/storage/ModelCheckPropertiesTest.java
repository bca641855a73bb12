package io.lockstep.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * FileStorage agrees with the simulator's disk model over random histories of writes, syncs,
 * clean restarts and crashes, with segments small enough that rolling and compaction happen
 * all the time: a restart recovers exactly what was written, a crash exactly what was written
 * up to some point at or after the last sync.
 */
class ModelCheckPropertiesTest {
  @Property(tries = 20)
  void recoveryReturnsWhatTheModelHoldsAcrossRestartsAndCrashes(@ForAll long seed)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    FileStorage.Options options = new FileStorage.Options(1024 + random.nextInt(8192));
    Histories history = new Histories(seed);
    List<Path> directories = new ArrayList<>();
    directories.add(Files.createTempDirectory("model"));
    List<ReferenceLog> sinceSync = new ArrayList<>(List.of(history.model().copy()));
    FileStorage storage = FileStorage.open(directories.get(0), options);
    try {
      storage.recover();
      for (int step = 0; step < 80; step++) {
        int action = random.nextInt(20);
        if (action < 14) {
          List<StorageWrite> writes = new ArrayList<>();
          for (int i = random.nextInt(1, 4); i > 0; i--) {
            writes.add(history.next());
            sinceSync.add(history.model().copy());
          }
          storage.write(writes);
        } else if (action < 17) {
          storage.sync();
          sinceSync = new ArrayList<>(List.of(history.model().copy()));
        } else if (action < 19) {
          storage.close();
          storage = FileStorage.open(directories.get(directories.size() - 1), options);
          assertThat(Fixtures.describe(storage.recover()))
              .isEqualTo(Fixtures.describe(history.model().recovered()));
          sinceSync = new ArrayList<>(List.of(history.model().copy()));
        } else {
          Path crashed = Files.createTempDirectory("model-crash");
          directories.add(crashed);
          storage = crash(storage, directories.get(directories.size() - 2), crashed, options);
          ReferenceLog survivor = survivor(sinceSync, storage.recover());
          history.reset(survivor);
          sinceSync = new ArrayList<>(List.of(survivor.copy()));
        }
      }
    } finally {
      storage.close();
      directories.forEach(TornTailPropertiesTest::deleteTree);
    }
  }

  /**
   * A crash: the files as they are now (what was written, synced or not, but nothing still
   * buffered in memory) become the directory the replica restarts on.
   */
  private static FileStorage crash(FileStorage storage, Path dir, Path crashed,
      FileStorage.Options options) throws IOException {
    CorruptionTest.copyTree(dir, crashed);
    storage.close();
    return FileStorage.open(crashed, options);
  }

  /** The state since the last sync that a crash left, or a failure if it is none of them. */
  private static ReferenceLog survivor(List<ReferenceLog> sinceSync, Recovered recovered) {
    String state = Fixtures.describe(recovered);
    for (int i = sinceSync.size() - 1; i >= 0; i--) {
      if (Fixtures.describe(sinceSync.get(i).recovered()).equals(state)) {
        return sinceSync.get(i);
      }
    }
    throw new AssertionError("after a crash, recovered " + state + " which is no state between"
        + " the last sync and the crash: " + sinceSync.stream()
            .map(log -> Fixtures.describe(log.recovered())).toList());
  }
}
