package io.lockstep.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.Recovered;
import io.lockstep.order.StorageWrite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A crash can leave any prefix of the unsynced bytes of the last segment on disk, followed by
 * nothing (the file cut there) or by the zeros the log wrote ahead of its records. Whatever the
 * cut, recovery must succeed and return the state after some prefix of the writes, including
 * every write that was synced before the cut (X1).
 */
class TornTailPropertiesTest {
  /** One sync point: how far the last segment reached, and what was durable then. */
  private record SyncPoint(long segment, long size, int writes) {}

  /** The files (name to content) on disk while a batch's writes were being appended. */
  private record DirectoryCopy(java.util.Map<Path, byte[]> files) {}

  /** What a run wrote: the state after each write, and each sync point with its files. */
  private record Run(List<String> prefixStates, List<SyncPoint> syncs,
      List<DirectoryCopy> during) {}

  @Property(tries = 30)
  void everyCutOfTheLastSegmentRecoversAPrefixIncludingAllThatWasSynced(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 1_000_000) int cutPerMillion,
      @ForAll boolean smallSegments, @ForAll boolean zerosAfterCut) throws IOException {
    Path dir = Files.createTempDirectory("torn");
    Path crash = Files.createTempDirectory("torn-crash");
    try {
      Run run = writeHistory(dir, seed, new FileStorage.Options(smallSegments ? 2048 : 1 << 20));
      long last = lastSegment(dir);
      long cut = Fixtures.recordsEnd(SegmentLog.pathFor(dir, last)) * cutPerMillion / 1_000_000;
      crashCopy(dir, crash, last, cut, directoryAt(run.syncs(), run.during(), last, cut),
          zerosAfterCut);
      Recovered recovered;
      try (FileStorage storage = FileStorage.open(crash)) {
        recovered = storage.recover();
      }
      int durable = durableWrites(run.syncs(), last, cut);
      assertThat(run.prefixStates().subList(durable, run.prefixStates().size()))
          .as("recovered state is the state after a prefix of the writes that includes every"
              + " write synced before the cut (%d writes)", durable)
          .contains(Fixtures.describe(recovered));
    } finally {
      deleteTree(dir);
      deleteTree(crash);
    }
  }

  private static Run writeHistory(Path dir, long seed, FileStorage.Options options)
      throws IOException {
    Histories history = new Histories(seed);
    Run run = new Run(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    run.prefixStates().add(Fixtures.describe(Recovered.EMPTY));
    try (FileStorage storage = FileStorage.open(dir, options)) {
      storage.recover();
      for (int batch = 0; batch < 15; batch++) {
        List<StorageWrite> writes = new ArrayList<>();
        for (int i = 1 + (batch % 3); i > 0; i--) {
          writes.add(history.next());
          run.prefixStates().add(Fixtures.describe(history.model().recovered()));
        }
        storage.write(writes);
        run.during().add(copyOf(dir));
        storage.sync();
        long last = lastSegment(dir);
        run.syncs().add(new SyncPoint(last, Fixtures.recordsEnd(SegmentLog.pathFor(dir, last)),
            run.prefixStates().size() - 1));
      }
    }
    return run;
  }

  private static int durableWrites(List<SyncPoint> syncs, long lastSegment, long cut) {
    int durable = 0;
    for (SyncPoint sync : syncs) {
      if (sync.segment() < lastSegment || sync.size() <= cut) {
        durable = sync.writes();
      }
    }
    return durable;
  }

  /**
   * The files on disk when the segment reached the cut: those present while the batch that
   * wrote the cut bytes was appended. Compaction deletes files only after a later sync.
   */
  private static DirectoryCopy directoryAt(List<SyncPoint> syncs, List<DirectoryCopy> during,
      long segment, long cut) {
    for (int i = 0; i < syncs.size(); i++) {
      SyncPoint sync = syncs.get(i);
      if (sync.segment() == segment && sync.size() >= cut) {
        return during.get(i);
      }
    }
    throw new IllegalStateException("no sync reached " + cut + " bytes of segment " + segment);
  }

  private static DirectoryCopy copyOf(Path dir) throws IOException {
    java.util.Map<Path, byte[]> files = new java.util.HashMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.filter(f -> !f.getFileName().toString().equals("lock")).toList()) {
        files.put(file.getFileName(), Files.readAllBytes(file));
      }
    }
    return new DirectoryCopy(files);
  }

  private static long lastSegment(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("segment-"))
          .mapToLong(n -> Long.parseLong(n.substring(8, 28)))
          .max().orElseThrow();
    }
  }

  /**
   * The crash state: the files of that moment, with the last segment's bytes from {@code cut}
   * gone, or zero as written ahead of the records ({@code zerosAfterCut}).
   */
  private static void crashCopy(Path dir, Path crash, long lastSegment, long cut,
      DirectoryCopy then, boolean zerosAfterCut) throws IOException {
    Path last = SegmentLog.pathFor(dir, lastSegment).getFileName();
    for (var file : then.files().entrySet()) {
      if (!file.getKey().equals(last)) {
        Files.write(crash.resolve(file.getKey()), file.getValue());
      }
    }
    byte[] finalBytes = Files.readAllBytes(dir.resolve(last));
    byte[] left = new byte[zerosAfterCut ? finalBytes.length : (int) cut];
    System.arraycopy(finalBytes, 0, left, 0, (int) cut);
    Files.write(crash.resolve(last), left);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
