package io.lockstep.order.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The in-memory log keeps payloads only for the newest entries within a byte budget
 * ({@link RaftConfig#logCacheBytes}); evicted entries stay in the log as term, time and size.
 */
class LogCacheTest {
  private static LogEntry entry(long index, long term, int size) {
    return new LogEntry(index, term, 1_000 + index,
        Request.command(Cluster.CLIENT, index, new byte[size]));
  }

  @Test
  void evictedEntriesStillAnswerTermsTimesMatchesAndBacktracking() {
    RaftLog log = new RaftLog(0, 0, 0);
    for (long i = 1; i <= 100; i++) {
      log.append(entry(i, 1 + i / 30, 200));
    }
    int evicted = log.evict(10 * RaftLog.sizeOf(entry(1, 1, 200)), 80);
    assertThat(evicted).isEqualTo(80);
    assertThat(log.cachedFrom()).isEqualTo(81);
    assertThat(log.cachedBytes()).isEqualTo(20 * RaftLog.sizeOf(entry(1, 1, 200)));
    assertThat(log.bytes()).isEqualTo(100 * RaftLog.sizeOf(entry(1, 1, 200)));
    for (long i = 1; i <= 100; i++) {
      assertThat(log.termAt(i)).isEqualTo(1 + i / 30);
      assertThat(log.timeAt(i)).isEqualTo(1_000 + i);
      assertThat(log.matches(i, 1 + i / 30)).isTrue();
      assertThat(log.matches(i, 9)).isFalse();
    }
    assertThat(log.findConflictByTerm(70, 2)).isEqualTo(59);
    assertThat(log.cached(80)).isFalse();
    assertThat(log.cached(81)).isTrue();
    assertThatThrownBy(() -> log.entry(50)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only on disk");
    assertThatThrownBy(() -> log.slice(79, 5)).isInstanceOf(IllegalStateException.class);
    assertThat(log.holds(entry(50, 2, 200))).isTrue();
    assertThat(log.holds(entry(50, 3, 200))).as("another term").isFalse();
    assertThat(log.holds(entry(50, 2, 201))).as("another size").isFalse();
  }

  @Test
  void nothingAboveTheLimitLeavesMemoryWhateverTheBudget() {
    RaftLog log = new RaftLog(0, 0, 0);
    for (long i = 1; i <= 10; i++) {
      log.append(entry(i, 1, 100));
    }
    log.evict(0, 4);
    assertThat(log.cachedFrom()).isEqualTo(5);
    log.evict(0, 4);
    assertThat(log.cachedFrom()).isEqualTo(5);
    assertThat(log.slice(5, 100)).hasSize(6);
  }

  @Test
  void cachedAndTotalBytesStayExactUnderAppendsTruncationCompactionResetsAndEviction() {
    SplittableRandom random = new SplittableRandom(7);
    RaftLog log = new RaftLog(0, 0, 0);
    List<LogEntry> shadow = new ArrayList<>(); // every entry after the base, evicted or not
    for (int step = 0; step < 3_000; step++) {
      int op = random.nextInt(12);
      long base = log.snapshotIndex();
      if (op < 6 || log.lastIndex() == base) {
        LogEntry e = entry(log.lastIndex() + 1, 1, random.nextInt(300));
        log.append(e);
        shadow.add(e);
      } else if (op < 7 && log.cachedFrom() <= log.lastIndex()) {
        long from = random.nextLong(log.cachedFrom(), log.lastIndex() + 1);
        log.truncateFrom(from);
        shadow.subList((int) (from - base - 1), shadow.size()).clear();
      } else if (op < 8) {
        long to = random.nextLong(base + 1, log.lastIndex() + 1);
        log.compactTo(to);
        shadow.subList(0, (int) (to - base)).clear();
      } else if (op < 9) {
        log.resetTo(log.lastIndex() + 3, 1, step);
        shadow.clear();
      } else {
        log.evict(random.nextInt(5_000), random.nextLong(base, log.lastIndex() + 1));
      }
      long all = 0;
      long cached = 0;
      for (LogEntry e : shadow) {
        all += RaftLog.sizeOf(e);
        if (log.cached(e.index())) {
          cached += RaftLog.sizeOf(e);
          assertThat(log.entry(e.index())).isEqualTo(e);
        }
        assertThat(log.termAt(e.index())).isEqualTo(e.term());
      }
      assertThat(log.bytes()).as("after step %d", step).isEqualTo(all);
      assertThat(log.cachedBytes()).as("after step %d", step).isEqualTo(cached);
    }
  }

  @Test
  void aCacheBudgetBelowOneByteIsRefusedWithItsName() {
    assertThatThrownBy(() -> RaftConfig.defaults(1, Nodes.THREE).withLogCacheBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("logCacheBytes must be positive, was 0");
  }

  @Test
  void theLeaderKeepsOnlyItsBudgetOfAppliedPayloadsAndAFollowerAppliesEverything() {
    long budget = 4 * RaftLog.sizeOf(Request.command(Cluster.CLIENT, 1, new byte[1_001]));
    Cluster cluster = new Cluster(3, c -> c.withLogCacheBytes(budget), 71);
    cluster.makeLeader(1);
    List<Request> proposed = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      proposed.add(cluster.propose(1, "x".repeat(1_000) + (i % 10)));
      cluster.run(20);
    }
    cluster.run(500);
    for (int id = 1; id <= 3; id++) {
      RaftLog log = cluster.raft(id).log();
      assertThat(log.cachedBytes()).as("replica %d", id).isLessThanOrEqualTo(budget);
      assertThat(log.cachedFrom()).as("replica %d", id).isGreaterThan(30);
      assertThat(cluster.node(id).stable).extracting(Ordered::request).containsAll(proposed);
    }
  }
}
