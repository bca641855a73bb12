package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Recovered;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimDiskTest {
  private final SimDisk disk = new SimDisk(new DiskModel(100, 0, false), new SplittableRandom(1));

  private static StorageWrite.Append append(long from, long to, long term) {
    List<LogEntry> entries = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      entries.add(new LogEntry(i, term, 1_000 + i, null));
    }
    return new StorageWrite.Append(entries);
  }

  private static List<String> log(Recovered recovered) {
    return recovered.entries().stream().map(e -> e.index() + "@" + e.term()).toList();
  }

  @Test
  void crashLosesWritesWhoseFsyncHadNotCompleted() {
    SimDisk.Sync first = disk.submit(List.of(append(1, 2, 1), new StorageWrite.HardState(new byte[] {1, 0})),
        0);
    SimDisk.Sync second = disk.submit(List.of(append(3, 3, 1)), 0);
    assertThat(second.completesAt()).isGreaterThan(first.completesAt());
    assertThat(disk.complete(first)).isTrue();
    disk.crash();
    assertThat(disk.complete(second)).isFalse();
    Recovered recovered = disk.recovered();
    assertThat(log(recovered)).containsExactly("1@1", "2@1");
    assertThat(recovered.hardState()).isEqualTo(new StorageWrite.HardState(new byte[] {1, 0}));
  }

  @Test
  void aDamagedNewestHardStateLeavesTheOlderOneAndDamageUntilAHardStateIsWrittenAgain() {
    StorageWrite.HardState older = new StorageWrite.HardState(new byte[] {4});
    StorageWrite.HardState newest = new StorageWrite.HardState(new byte[] {5});
    disk.apply(older);
    disk.apply(append(1, 3, 2));
    disk.apply(newest);
    disk.damageHardState();
    Recovered recovered = disk.recovered();
    assertThat(recovered.hardState()).isEqualTo(older);
    assertThat(log(recovered)).containsExactly("1@2", "2@2", "3@2");
    assertThat(recovered.damage()).isNotNull();
    assertThat(recovered.damage().damagedFrom()).isEqualTo(4);
    assertThat(recovered.damage().acknowledgedBound()).isEqualTo(3);
    assertThat(recovered.damage().maxTermSeen()).isEqualTo(2);
    disk.apply(new StorageWrite.HardState(new byte[] {6}));
    assertThat(disk.recovered().damage()).isNull();
  }

  @Test
  void fsyncsCompleteInSubmissionOrderOnly() {
    SimDisk.Sync first = disk.submit(List.of(append(1, 1, 1)), 0);
    SimDisk.Sync second = disk.submit(List.of(), 0);
    assertThat(second.completesAt()).isEqualTo(first.completesAt());
    assertThat(disk.complete(second)).isFalse();
    assertThat(disk.complete(first)).isTrue();
    assertThat(disk.complete(second)).isTrue();
    assertThat(disk.idle()).isTrue();
  }

  @Test
  void appendAtOrBelowTheLastIndexTruncatesTheConflictingSuffix() {
    disk.apply(append(1, 5, 1));
    disk.apply(append(3, 4, 2));
    assertThat(log(disk.recovered())).containsExactly("1@1", "2@1", "3@2", "4@2");
  }

  @Test
  void appendThatWouldLeaveAGapIsABug() {
    disk.apply(append(1, 2, 1));
    assertThatThrownBy(() -> disk.apply(append(4, 4, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gap");
  }

  @Test
  void snapshotDiscardsCoveredEntriesAndKeepsAFollowingSuffix() {
    disk.apply(append(1, 6, 1));
    disk.apply(new StorageWrite.SaveSnapshot(new Snapshot(4, 1, 1_004, List.of(0, 1, 2),
        new byte[] {1})));
    Recovered recovered = disk.recovered();
    assertThat(recovered.snapshot().index()).isEqualTo(4);
    assertThat(log(recovered)).containsExactly("5@1", "6@1");
    disk.apply(append(7, 7, 1));
    assertThat(log(disk.recovered())).containsExactly("5@1", "6@1", "7@1");
  }

  @Test
  void snapshotWhoseLastEntryConflictsDiscardsTheWholeLog() {
    disk.apply(append(1, 6, 1));
    disk.apply(new StorageWrite.SaveSnapshot(new Snapshot(4, 2, 1_004, List.of(0, 1, 2),
        new byte[] {1})));
    assertThat(disk.recovered().entries()).isEmpty();
    disk.apply(append(5, 5, 2));
    assertThat(log(disk.recovered())).containsExactly("5@2");
  }

  @Test
  void appendOfEntriesAlreadyInTheSnapshotKeepsOnlyTheNewOnes() {
    disk.apply(new StorageWrite.SaveSnapshot(new Snapshot(3, 1, 1_003, List.of(0),
        new byte[0])));
    disk.apply(append(2, 5, 1));
    assertThat(log(disk.recovered())).containsExactly("4@1", "5@1");
  }

  @Test
  void tornWriteKeepsOnlyAPrefixOfTheFsyncInProgress() {
    boolean sawPartialAppend = false;
    for (int seed = 0; seed < 50; seed++) {
      SimDisk torn = new SimDisk(new DiskModel(100, 0, true), new SplittableRandom(seed));
      torn.submit(List.of(new StorageWrite.HardState(new byte[] {2, 1}), append(1, 8, 2)), 0);
      torn.submit(List.of(new StorageWrite.HardState(new byte[] {3, 1})), 0);
      torn.crash();
      Recovered recovered = torn.recovered();
      List<String> entries = log(recovered);
      if (!entries.isEmpty()) {
        assertThat(entries).isEqualTo(log(new Recovered(null, null,
            append(1, entries.size(), 2).entries())));
        assertThat(recovered.hardState()).isEqualTo(new StorageWrite.HardState(new byte[] {2, 1}));
      }
      sawPartialAppend |= !entries.isEmpty() && entries.size() < 8;
      assertThat(recovered.hardState()).isNotEqualTo(new StorageWrite.HardState(new byte[] {3, 1}));
    }
    assertThat(sawPartialAppend).isTrue();
  }

  @Test
  void aLostWriteWithASyncAfterItIsDetectedAtTheCrash() {
    disk.armLostWrite();
    SimDisk.Sync lost = disk.submit(List.of(append(1, 1, 1)), 0);
    SimDisk.Sync after = disk.submit(List.of(append(2, 2, 1)), 0);
    assertThat(disk.complete(lost)).isTrue();
    assertThat(disk.complete(after)).isTrue();
    assertThat(disk.crash()).contains("lost write in the middle of the log (detected)");
    assertThat(disk.takeLostWriteDetected()).isTrue();
  }

  @Test
  void aLostWriteAtTheTailIsUndetectableSoTheModelDoesNotInjectIt() {
    disk.armLostWrite();
    SimDisk.Sync empty = disk.submit(List.of(), 0);
    SimDisk.Sync lost = disk.submit(List.of(append(1, 1, 1)), 0);
    assertThat(disk.complete(empty)).isTrue();
    assertThat(disk.complete(lost)).isTrue();
    assertThat(disk.crash()).contains("at the tail (undetectable, so not injected)");
    assertThat(disk.takeLostWriteDetected()).isFalse();
    assertThat(log(disk.recovered())).containsExactly("1@1");
    SimDisk.Sync later = disk.submit(List.of(append(2, 2, 1)), 0);
    assertThat(disk.complete(later)).isTrue();
    assertThat(disk.crash()).as("the fault was used up").doesNotContain("lost write");
  }

  @Test
  void damageKeepsAValidPrefixAndIsReportedUntilAHardStateIsDurableAfterIt() {
    SimDisk.Sync sync = disk.submit(List.of(append(1, 5, 2)), 0);
    assertThat(disk.complete(sync)).isTrue();
    disk.crash();
    assertThat(disk.damage(false)).contains("acknowledged up to 5");
    Recovered damaged = disk.recovered();
    assertThat(damaged.damage()).isNotNull();
    assertThat(damaged.damage().acknowledgedBound()).isEqualTo(5);
    assertThat(damaged.damage().maxTermSeen()).isEqualTo(2);
    assertThat(damaged.entries()).hasSize((int) damaged.damage().damagedFrom() - 1);
    // A restart that crashes before persisting its hard state sees the damage again.
    SimDisk.Sync entries = disk.submit(List.of(append(damaged.entries().size() + 1, 6, 3)), 0);
    assertThat(disk.complete(entries)).isTrue();
    assertThat(disk.recovered().damage()).isNotNull();
    SimDisk.Sync state = disk.submit(List.of(new StorageWrite.HardState(new byte[12])), 0);
    assertThat(disk.complete(state)).isTrue();
    assertThat(disk.recovered().damage()).isNull();
  }
}
