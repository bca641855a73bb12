package io.lockstep.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lockstep.check.LinearizabilityChecker.Result;
import io.lockstep.check.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The checker must keep up with simulation histories: a few clients, hundreds of operations per
 * key. The bounds are generous for a loaded 2-core machine; on an idle one each case takes well
 * under a second.
 */
class CheckerPerformanceTest {
  private static final Duration BOUND = Duration.ofSeconds(5);

  private static Result timedCheck(History h) {
    return assertTimeoutPreemptively(BOUND, () -> LinearizabilityChecker.check(h));
  }

  @Test
  void fiveProcessesTimesFourHundredOpsOnThreeKeysCheckFast() {
    History h = Generated.linearizable(new SplittableRandom(42), 5, 400, 3, 0.0);
    assertThat(h.size()).isEqualTo(2 * 5 * 400);
    Result r = timedCheck(h);
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void tenProcessesWithManyIndeterminateOpsCheckFast() {
    // Clients that time out leave info operations that stay concurrent with everything after.
    History h = Generated.linearizable(new SplittableRandom(7), 10, 300, 3, 0.10);
    Result r = timedCheck(h);
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void oneCorruptReadInALongConcurrentHistoryIsFoundFast() {
    History good = Generated.linearizable(new SplittableRandom(3), 5, 400, 3, 0.05);
    History bad = Generated.withReadValue(good, 700, "corrupt");
    Result r = timedCheck(bad);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(r.key()).isEqualTo(Generated.readKey(good, 700));
    assertThat(r.explanation()).contains("read -> \"corrupt\"");
  }

  @Test
  void oneStaleReadInALongConcurrentHistoryIsFoundFast() {
    History good = Generated.linearizable(new SplittableRandom(5), 5, 400, 1, 0.0);
    History bad = staleSomewhere(good);
    Result r = timedCheck(bad);
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  /**
   * Makes a late read return the value of the first write, long overwritten by writes that
   * completed before the read began: a stale read only the search can expose (the value was
   * written).
   */
  private static History staleSomewhere(History h) {
    String first = h.ops().stream().filter(op -> op.f().equals("write"))
        .findFirst().orElseThrow().value();
    int n = (int) h.ops().stream()
        .filter(op -> op.f().equals("read") && op.type() == Op.Type.OK).count();
    return Generated.withReadValue(h, n - 1, first);
  }
}
