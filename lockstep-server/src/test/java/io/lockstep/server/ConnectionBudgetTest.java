package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One client-port connection's unanswered bytes stay within its budget. */
class ConnectionBudgetTest {
  @Test
  void questionsPastTheBudgetAreRefusedAndAnsweringFreesRoom() {
    ConnectionBudget budget = new ConnectionBudget(10_000, 1_000_000_000L);
    assertThat(budget.charge(1, 6_000, 0)).isTrue();
    assertThat(budget.charge(2, 6_000, 0)).as("over the budget").isFalse();
    assertThat(budget.used()).isEqualTo(6_000);
    budget.release(1);
    assertThat(budget.charge(2, 6_000, 0)).isTrue();
    budget.release(2);
    budget.release(2);
    assertThat(budget.used()).isZero();
  }

  @Test
  void oneQuestionLargerThanTheBudgetFitsAnEmptyBudget() {
    ConnectionBudget budget = new ConnectionBudget(10_000, 1_000_000_000L);
    assertThat(budget.charge(1, 50_000, 0)).isTrue();
    assertThat(budget.charge(2, 1, 0)).isFalse();
  }

  @Test
  void questionsNeverAnsweredStopCountingAfterTheExpiry() {
    ConnectionBudget budget = new ConnectionBudget(10_000, 1_000L);
    assertThat(budget.charge(1, 9_000, 0)).isTrue();
    assertThat(budget.charge(2, 9_000, 500)).isFalse();
    assertThat(budget.charge(2, 9_000, 2_000)).as("the first one expired").isTrue();
    assertThat(budget.used()).isEqualTo(9_000);
  }

  @Test
  void aRetriedTagIsChargedOnce() {
    ConnectionBudget budget = new ConnectionBudget(10_000, 1_000_000_000L);
    budget.charge(7, 4_000, 0);
    budget.charge(7, 4_000, 0);
    assertThat(budget.used()).isEqualTo(4_000);
  }
}
