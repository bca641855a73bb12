package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotWindowsTest {
  private static final ZoneId UTC = ZoneOffset.UTC;
  private static final long T0 = LocalDateTime.parse("2026-12-05T03:27:13.834")
      .toInstant(ZoneOffset.UTC).toEpochMilli();

  @Test
  void aSnapshotStoredLineGivesTheIntervalEndingAtItsTimeAndLastingItsMillis() {
    List<SnapshotWindows.Interval> parsed = SnapshotWindows.parse(List.of(
        "2026-12-05T03:27:13.834Z level=INFO logger=io.lockstep.server.SnapshotThread "
            + "event=snapshot_stored replica=2 position=4000 bytes=33554432 millis=1500",
        "2026-12-05T03:27:14.000Z level=INFO logger=x event=role_change replica=2 role=LEADER"),
        UTC);
    assertThat(parsed).containsExactly(new SnapshotWindows.Interval(2, T0 - 1500, T0));
  }

  @Test
  void theSnapshotsElapsedMillisIsReadNotItsCpuMillisAfterIt() {
    List<SnapshotWindows.Interval> parsed = SnapshotWindows.parse(List.of(
        "2026-12-05T03:27:13.834Z level=INFO logger=io.lockstep.server.SnapshotThread "
            + "event=snapshot_stored replica=3 position=4000 bytes=33554432 millis=1500 "
            + "cpu_millis=300"), UTC);
    assertThat(parsed).containsExactly(new SnapshotWindows.Interval(3, T0 - 1500, T0));
  }

  @Test
  void theLogsLocalTimeIsReadInTheGivenZone() {
    List<SnapshotWindows.Interval> parsed = SnapshotWindows.parse(List.of(
        "2026-12-05T03:27:13.834Z level=INFO event=snapshot_stored replica=1 position=1 "
            + "bytes=1 millis=0"), ZoneOffset.ofHours(1));
    assertThat(parsed.get(0).endMillis()).isEqualTo(T0 - 3_600_000);
  }

  @Test
  void anOperationCountsAsDuringASnapshotExactlyWhenItsSpanOverlapsOne() {
    SnapshotWindows w = new SnapshotWindows(List.of(new SnapshotWindows.Interval(1, 1_000,
        2_000)));
    w.record(500, 400_000);    // 500..900 ms: before
    w.record(900, 200_000);    // 900..1100 ms: reaches into it
    w.record(1_500, 10_000);   // inside
    w.record(1_999, 5_000);    // starts inside, ends after
    w.record(2_001, 1_000);    // after
    assertThat(w.during().getTotalCount()).isEqualTo(3);
    assertThat(w.outside().getTotalCount()).isEqualTo(2);
    assertThat(w.during().getMaxValue()).isBetween(199_000L, 201_000L);
  }

  @Test
  void theTableShowsBothClassesAndADashForAnEmptyOne() {
    SnapshotWindows w = new SnapshotWindows(List.of());
    w.record(0, 2_000);
    String table = w.table();
    assertThat(table).containsPattern("during a snapshot\\s+0\\s+-");
    assertThat(table).containsPattern("no snapshot running\\s+1\\s+2\\.00");
  }

  @Test
  void anIntervalThatEndsBeforeItStartsIsRejected() {
    assertThatThrownBy(() -> new SnapshotWindows.Interval(1, 5, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before it starts");
  }
}
