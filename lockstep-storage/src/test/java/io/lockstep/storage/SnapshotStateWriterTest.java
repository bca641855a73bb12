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
 * A state file never leaves much dirty in the page cache for the log's fsyncs to wait for:
 * written with direct I/O where the file system allows it, else forced as it is written; the
 * file it leaves is the same either way.
 */
class SnapshotStateWriterTest {
  private static final long EVERY = 1 << 20;
  private static final int STATE_BYTES = (11 << 19) + 777; // 5.5 MiB and a bit: a partial tail

  @TempDir Path dir;

  /** A disk that notes the size of each state file it forces (data only, not directories). */
  private static class SizesAtForce extends Disk {
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
  void throughThePageCacheAStateFileIsForcedEveryIntervalSoNoMoreIsEverUnforced()
      throws IOException {
    SizesAtForce disk = new SizesAtForce();
    SnapshotData data = write(new SnapshotStateWriter(dir, disk, EVERY, false), 9, state(1));

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
  void whereDirectIoIsRefusedTheDefaultForcesALargeStateManyTimesNotOnlyAtTheEnd()
      throws IOException {
    SizesAtForce disk = new SizesAtForce() {
      @Override
      FileChannel openDirect(Path file) throws IOException {
        throw new IOException("Invalid argument"); // as on tmpfs
      }
    };
    SnapshotStateWriter writer = new SnapshotStateWriter(dir, disk);
    byte[] state = new byte[(int) (3 * SnapshotStateWriter.FORCE_EVERY_BYTES + 5)];
    write(writer, 4, state);
    assertThat(writer.lastWriteWasDirect()).isFalse();
    assertThat(disk.sizes).hasSize(4);
    assertThat(disk.sizes.get(0)).isEqualTo(SnapshotStateWriter.FORCE_EVERY_BYTES);
  }

  @Test
  void aRefusalOfDirectIoIsLoggedOnceWithTheFileSystemAndTheError() throws IOException {
    int[] opened = {0};
    Disk disk = new Disk() {
      @Override
      FileChannel openDirect(Path file) throws IOException {
        opened[0]++;
        throw new IOException("Invalid argument " + opened[0]);
      }
    };
    SnapshotStateWriter writer = new SnapshotStateWriter(dir, disk);
    List<String> warnings = new ArrayList<>();
    java.util.logging.Logger jul =
        java.util.logging.Logger.getLogger(SnapshotStateWriter.class.getName());
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        warnings.add(r.getLevel() + " " + r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(handler);
    try {
      write(writer, 4, state(4));
      write(writer, 5, state(5));
    } finally {
      jul.removeHandler(handler);
    }
    assertThat(opened[0]).as("direct I/O is tried for each file").isEqualTo(2);
    assertThat(writer.directRefused()).contains("file system " + Files.getFileStore(dir).name())
        .contains("Invalid argument 1");
    assertThat(warnings).singleElement().asString().startsWith("WARNING")
        .contains("direct I/O was refused").contains("Invalid argument 1")
        .contains("forced every 4096 KiB");
  }

  @Test
  void withDirectIoAStateIsWrittenPastThePageCacheWithItsExactSizeAndChecksum()
      throws IOException {
    assumeDirectIo();
    SizesAtForce disk = new SizesAtForce();
    SnapshotStateWriter writer = new SnapshotStateWriter(dir, disk);
    byte[] state = state(7); // not a whole number of blocks: the padding must be cut off
    StoredState data = (StoredState) write(writer, 12, state);

    assertThat(writer.lastWriteWasDirect()).isTrue();
    assertThat(disk.sizes).as("nothing is left dirty, so one force at the end suffices")
        .containsExactly((long) STATE_BYTES);
    Path file = SnapshotFiles.statePath(dir, 12);
    assertThat(Files.readAllBytes(file)).isEqualTo(state);
    CRC32C crc = new CRC32C();
    crc.update(state);
    assertThat(data.crc()).isEqualTo((int) crc.getValue());
    assertThat(data.size()).isEqualTo(STATE_BYTES);
  }

  @Test
  void withDirectIoEmptyAndWholeBlockStatesKeepTheirSizeToo() throws IOException {
    assumeDirectIo();
    SnapshotStateWriter writer = new SnapshotStateWriter(dir, new Disk());
    for (int length : new int[] {0, 1, 4096, StateFileOutput.BUFFER, StateFileOutput.BUFFER + 1}) {
      byte[] state = java.util.Arrays.copyOf(state(length), length);
      SnapshotData data = write(writer, 100 + length, state);
      assertThat(writer.lastWriteWasDirect()).isTrue();
      assertThat(Files.readAllBytes(SnapshotFiles.statePath(dir, 100 + length)))
          .as("%d bytes", length).isEqualTo(state);
      assertThat(data.size()).isEqualTo(length);
    }
  }

  @Test
  void aStateWrittenWithDirectIoIsRecoveredWhole() throws IOException {
    assumeDirectIo();
    byte[] state = state(8);
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(1, 20, 1)));
      SnapshotData data = write(storage.snapshotStateWriter(), 15, state);
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

  /** Skips a test where this file system refuses direct I/O (tmpfs, for one). */
  private void assumeDirectIo() throws IOException {
    Path probe = dir.resolve("direct-probe");
    try (FileChannel channel = new Disk().openDirect(probe)) {
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException e) {
      org.junit.jupiter.api.Assumptions.abort("the file system of " + dir + " refuses O_DIRECT: "
          + e);
    }
  }

  @Test
  void aStateForcedAsItGoesReadsBackWholeWithItsChecksumAndIsRecovered() throws IOException {
    byte[] state = state(2);
    try (FileStorage storage = FileStorage.open(dir)) {
      storage.recover();
      storage.write(List.of(append(1, 20, 1)));
      SnapshotData data = write(new SnapshotStateWriter(dir, new Disk(), EVERY, false), 15, state);
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
    assertThatThrownBy(() -> write(new SnapshotStateWriter(dir, disk, EVERY, false), 7, state(3)))
        .isInstanceOf(IOException.class).hasMessageContaining("injected");
    assertThat(SnapshotFiles.statePath(dir, 7)).doesNotExist();
  }

  @Test
  void anIntervalBelowOneBufferIsRefused() {
    assertThatThrownBy(() -> new SnapshotStateWriter(dir, new Disk(), 4096, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
  }
}
