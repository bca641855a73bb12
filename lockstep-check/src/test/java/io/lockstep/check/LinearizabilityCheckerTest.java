package io.lockstep.check;

import static io.lockstep.check.Timeline.INFO;
import static io.lockstep.check.Timeline.PENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.check.LinearizabilityChecker.Result;
import io.lockstep.check.LinearizabilityChecker.Verdict;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

  private static void assertLinearizable(Timeline t) {
    Result r = t.check();
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(r.linearizable()).isTrue();
    assertThat(r.key()).isNull();
  }

  private static Result assertViolation(Timeline t, String key) {
    Result r = t.check();
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(r.linearizable()).isFalse();
    assertThat(r.key()).isEqualTo(key);
    assertThat(r.explanation()).contains("key \"" + key + "\"");
    return r;
  }

  @Nested
  class GoodHistories {
    @Test
    void sequentialOperationsFollowTheRegisterModel() {
      assertLinearizable(new Timeline()
          .read(1, "k", null, 0, 1)
          .write(1, "k", "a", 2, 3)
          .read(1, "k", "a", 4, 5)
          .cas(1, "k", "a", "b", 6, 7)
          .failedCas(1, "k", "a", "c", 8, 9)
          .read(1, "k", "b", 10, 11)
          .delete(1, "k", 12, 13)
          .read(1, "k", null, 14, 15)
          .cas(1, "k", null, "d", 16, 17)
          .read(1, "k", "d", 18, 19));
    }

    @Test
    void concurrentWritesMayTakeEffectInEitherOrder() {
      for (String lastWriter : new String[] {"a", "b"}) {
        assertLinearizable(new Timeline()
            .write(1, "k", "a", 0, 10)
            .write(2, "k", "b", 1, 11)
            .read(3, "k", lastWriter, 20, 30)
            .read(4, "k", lastWriter, 31, 40));
      }
    }

    @Test
    void readConcurrentWithWriteMaySeeOldOrNewValue() {
      for (String seen : new String[] {"a", "b"}) {
        assertLinearizable(new Timeline()
            .write(1, "k", "a", 0, 5)
            .write(1, "k", "b", 10, 20)
            .read(2, "k", seen, 12, 18));
      }
    }

    @Test
    void indeterminateWriteMayTakeEffectLongAfterItsInvocation() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, 5)
          .write(2, "k", "b", 10, INFO)
          .read(3, "k", "a", 20, 25)
          .read(3, "k", "b", 30, 35)
          .read(3, "k", "b", 40, 45));
    }

    @Test
    void indeterminateWriteMayNeverTakeEffect() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, 5)
          .write(2, "k", "b", 10, INFO)
          .write(4, "k", "c", 11, PENDING)
          .read(3, "k", "a", 20, 25)
          .read(3, "k", "a", 30, 35));
    }

    @Test
    void indeterminateCasThatOthersObserveIsPlacedWhereItExplainsThem() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, 5)
          .cas(2, "k", "a", "b", 10, INFO)
          .cas(3, "k", "b", "c", 20, 25)
          .read(3, "k", "c", 30, 35));
    }

    @Test
    void indeterminateWritesMayTakeEffectInTheOppositeOrderOfTheirInvocations() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, INFO)
          .write(2, "k", "b", 1, INFO)
          .cas(3, "k", "x", "y", 2, INFO)
          .cas(4, "k", "b", "x", 3, INFO)
          .read(5, "k", "b", 10, 11)
          .read(5, "k", "x", 12, 13)
          .read(5, "k", "a", 20, 21));
    }

    @Test
    void eachIndeterminateDeleteMayTakeEffectOnceAtAnyLaterPoint() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, 1)
          .delete(2, "k", 2, INFO)
          .delete(3, "k", 3, PENDING)
          .read(4, "k", null, 10, 11)
          .write(1, "k", "b", 12, 13)
          .read(4, "k", "b", 14, 15)
          .read(4, "k", null, 16, 17));
    }

    @Test
    void casChainsAdvanceOneStepAtATime() {
      assertLinearizable(new Timeline()
          .write(1, "k", "0", 0, 1)
          .cas(1, "k", "0", "1", 2, 10)
          .failedCas(2, "k", "0", "x", 3, 11)
          .cas(3, "k", "1", "2", 5, 12)
          .failedCas(4, "k", "1", "y", 13, 14)
          .cas(1, "k", "2", "3", 15, 16)
          .read(2, "k", "3", 17, 18));
    }

    @Test
    void deleteMakesTheKeyAbsentForLaterReads() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, 1)
          .delete(2, "k", 2, 3)
          .read(1, "k", null, 4, 5)
          .cas(1, "k", null, "b", 6, 7)
          .read(2, "k", "b", 8, 9));
    }

    @Test
    void keysAreIndependentRegisters() {
      // As one register this would be a stale read; per key it is correct.
      assertLinearizable(new Timeline()
          .write(1, "x", "a", 0, 1)
          .write(2, "y", "b", 2, 3)
          .read(3, "x", "a", 4, 5)
          .read(3, "y", "b", 6, 7));
    }

    @Test
    void failedOperationsAreIgnored() {
      assertLinearizable(new Timeline()
          .write(1, "k", "a", 0, 1)
          .failedWrite(2, "k", "b", 2, 3)
          .read(1, "k", "a", 4, 5));
    }

    @Test
    void emptyHistoryIsLinearizable() {
      Result r = LinearizabilityChecker.check(new History());
      assertThat(r.linearizable()).isTrue();
      assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }
  }

  @Nested
  class BadHistories {
    @Test
    void staleReadAfterCompletedWriteIsRejected() {
      Result r = assertViolation(new Timeline()
          .write(1, "k", "a", 0, 5)
          .write(1, "k", "b", 10, 15)
          .read(2, "k", "a", 20, 25), "k");
      assertThat(r.explanation())
          .contains("p2 read -> \"a\" [20..25]")
          .contains("while it was pending the register could hold only {\"b\"}");
    }

    @Test
    void readOfValueNeverWrittenIsRejected() {
      Result r = assertViolation(new Timeline()
          .write(1, "k", "a", 0, 5)
          .read(2, "k", "zzz", 6, 7), "k");
      assertThat(r.explanation()).contains("no operation on this key ever writes \"zzz\"");
    }

    @Test
    void lostAcknowledgedWriteIsRejected() {
      assertViolation(new Timeline()
          .write(1, "k", "a", 0, 5)
          .read(2, "k", null, 10, 15), "k");
    }

    @Test
    void twoSuccessfulCasFromTheSameExpectedValueAreRejected() {
      Result r = assertViolation(new Timeline()
          .write(1, "k", "0", 0, 1)
          .cas(2, "k", "0", "1", 10, 20)
          .cas(3, "k", "0", "2", 12, 22), "k");
      assertThat(r.explanation()).contains("cas \"0\"->").contains("concurrent: p");
    }

    @Test
    void readSeeingWriteInvokedAfterTheReadReturnedIsRejected() {
      assertViolation(new Timeline()
          .read(1, "k", "a", 0, 5)
          .write(2, "k", "a", 10, 15), "k");
    }

    @Test
    void newThenOldReadsAcrossTwoReadersAreRejected() {
      // The classic inversion: the write of b is slow, one reader sees b, a later one sees a.
      assertViolation(new Timeline()
          .write(1, "k", "a", 0, 5)
          .write(1, "k", "b", 10, 100)
          .read(2, "k", "b", 20, 25)
          .read(3, "k", "a", 30, 35), "k");
    }

    @Test
    void failedWriteObservedByReadIsRejected() {
      assertViolation(new Timeline()
          .failedWrite(1, "k", "a", 0, 5)
          .read(2, "k", "a", 3, 15), "k");
    }

    @Test
    void indeterminateWriteCannotExplainReadBeforeItsInvocation() {
      assertViolation(new Timeline()
          .read(1, "k", "b", 0, 5)
          .write(2, "k", "b", 10, INFO), "k");
    }

    @Test
    void oneIndeterminateDeleteCannotTakeEffectTwice() {
      assertViolation(new Timeline()
          .write(1, "k", "a", 0, 1)
          .delete(2, "k", 2, INFO)
          .read(4, "k", null, 10, 11)
          .write(1, "k", "b", 12, 13)
          .read(4, "k", "b", 14, 15)
          .read(4, "k", null, 16, 17), "k");
    }

    @Test
    void indeterminateWriteObservedOnceCannotReappearAfterBeingOverwritten() {
      assertViolation(new Timeline()
          .write(1, "k", "a", 0, INFO)
          .read(2, "k", "a", 10, 11)
          .write(2, "k", "b", 12, 13)
          .read(2, "k", "a", 14, 15), "k");
    }

    @Test
    void violationNamesTheFailingKeyAmongCorrectOnes() {
      assertViolation(new Timeline()
          .write(1, "good", "a", 0, 1)
          .read(1, "good", "a", 2, 3)
          .write(2, "bad", "x", 0, 1)
          .read(2, "bad", "y", 2, 3), "bad");
    }

    @Test
    void readOfOtherKeysValueIsRejected() {
      assertViolation(new Timeline()
          .write(1, "x", "a", 0, 1)
          .read(2, "y", "a", 2, 3), "y");
    }
  }

  @Nested
  class Budget {
    /** Eight concurrent writes of distinct values then a read: many orders to explore. */
    private Timeline manyConcurrentWrites(String key) {
      Timeline t = new Timeline();
      for (int p = 0; p < 8; p++) {
        t.write(p, key, "v" + p, p, 100 + p);
      }
      return t.read(9, key, "v3", 200, 201);
    }

    @Test
    void exhaustedBudgetGivesUnknownNotAVerdict() {
      Result r = LinearizabilityChecker.check(manyConcurrentWrites("k").history(), 3);
      assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
      assertThat(r.unknown()).isTrue();
      assertThat(r.linearizable()).isFalse();
      assertThat(r.key()).isEqualTo("k");
      assertThat(r.explanation()).startsWith("unknown (search budget exceeded)");
    }

    @Test
    void sufficientBudgetGivesTheVerdict() {
      Result r = LinearizabilityChecker.check(manyConcurrentWrites("k").history(), 100_000);
      assertThat(r.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void definiteViolationOnAnotherKeyWinsOverUnknown() {
      Timeline t = manyConcurrentWrites("slow").read(20, "bad", "never", 0, 1);
      Result r = LinearizabilityChecker.check(t.history(), 3);
      assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
      assertThat(r.key()).isEqualTo("bad");
    }

    @Test
    void budgetMustBePositive() {
      assertThatThrownBy(() -> LinearizabilityChecker.check(new History(), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxStatesPerKey");
    }
  }

  @Test
  void resultRejectsContradictoryVerdict() {
    assertThatThrownBy(() -> new Result(true, null, "x", Verdict.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new Result(false, "k", "x").verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }
}
