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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state file is forced as it is written, so that little of it is ever dirty in the page cache
 * for the log's fsyncs to wait for; the file it leaves is the same as one forced only at the end.
 */
class SnapshotStateWriterTest {
  private static final long EVERY = 1 << 20;
  private static final int STATE_BYTES = (11 << 19) + 777; // 5.5 MiB and a bit: a partial tail

  @TempDir Path dir;

  /** A disk that notes the size of each state file it forces (data only, not directories). */
  private static final class SizesAtForce extends Disk {
    final List<Long> sizes = new ArrayList<>();

    @Override
    void forceChannel(FileChannel channel, boolean metadata) throws IOException {
      if (!metadata) {
        sizes.add(channel.size());
      }
      super.forceChannel(channel, metadata);
    }
  }

  private static byte[] state(long seed) {
    byte[] bytes = new byte[STATE_BYTES];
    new SplittableRandom(seed).nextBytes(bytes);
    return bytes;
  }

  /** Streams the state in small pieces, as a state machine's writer would. */
  private static SnapshotData write(SnapshotStateWriter writer, long position, byte[] state)
      throws IOException {
    return writer.write(position, out -> {
      for (int i = 0; i < state.length; i += 1000) {
        out.write(state, i, Math.min(1000, state.length - i));
      }
    });
  }

  @Test
  void aStateFileIsForcedEveryIntervalSoNoMoreThanThatIsEverUnforced() throws IOException {
    SizesAtForce disk = new SizesAtForce();
    SnapshotData data = write(new SnapshotStateWriter(dir, disk, EVERY), 9, state(1));

    assertThat(disk.sizes).as("forced at each MiB and at the end")
        .containsExactly(1L << 20, 2L << 20, 3L << 20, 4L << 20, 5L << 20, (long) STATE_BYTES);
    long previous = 0;
    for (long size : disk.sizes) {
      assertThat(size - previous).as("bytes written between two forces")
          .isLessThanOrEqualTo(EVERY);
      previous = size;
    }
    assertThat(data.size()).isEqualTo(STATE_BYTES);
  }

  @Test
  void theDefaultIntervalForcesALargeStateManyTimesNotOnlyAtTheEnd() throws IOException {
    SizesAtForce disk = new SizesAtForce();
    byte[] state = new byte[(int) (3 * SnapshotStateWriter.FORCE_EVERY_BYTES + 5)];
    write(new SnapshotStateWriter(dir, disk), 4, state);
    assertThat(disk.sizes).hasSize(4);
    assertThat(disk.sizes.get(0)).isEqualTo(SnapshotStateWriter.FORCE_EVERY_BYTES);
  }

  @Test
  void aStateForcedAsItGoesReadsBackWholeWithItsChecksumAndIsRecovered() throws IOException {
    byte[] state = state(2);
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(1, 20, 1)));
      SnapshotData data = write(new SnapshotStateWriter(dir, new Disk(), EVERY), 15, state);
      CRC32C crc = new CRC32C();
      crc.update(Files.readAllBytes(SnapshotFiles.statePath(dir, 15)));
      assertThat(((StoredState) data).crc()).isEqualTo((int) crc.getValue());
      storage.write(List.of(new StorageWrite.SaveSnapshot(
          new Snapshot(15, 1, 1_015, List.of(1, 2, 3), data))));
      storage.sync();
    }
    try (FileStorage storage = FileStorage.open(dir)) {
      Recovered recovered = storage.recover();
      assertThat(recovered.snapshot().index()).isEqualTo(15);
      try (InputStream in = recovered.snapshot().data().open()) {
        assertThat(in.readAllBytes()).isEqualTo(state);
      }
    }
  }

  @Test
  void aForceThatFailsMidwayFailsTheWriteAndLeavesNoStateFile() {
    DiskFaults faults = DiskFaults.none();
    Disk disk = new Disk(faults) {
      private int forces;

      @Override
      void forceChannel(FileChannel channel, boolean metadata) throws IOException {
        if (++forces == 3) {
          faults.set(DiskFaults.Mode.SYNC_ERROR); // the third force, mid-file, fails
        }
        super.forceChannel(channel, metadata);
      }
    };
    assertThatThrownBy(() -> write(new SnapshotStateWriter(dir, disk, EVERY), 7, state(3)))
        .isInstanceOf(IOException.class).hasMessageContaining("injected");
    assertThat(SnapshotFiles.statePath(dir, 7)).doesNotExist();
  }

  @Test
  void anIntervalBelowOneBufferIsRefused() {
    assertThatThrownBy(() -> new SnapshotStateWriter(dir, new Disk(), 4096))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
  }
}
