package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.order.agreement.ClientCopies.Outcome;
import io.lockstep.order.testing.Harness;
import io.lockstep.request.Request;
import org.junit.jupiter.api.Test;

/** The rule that takes a request as its client's own: t+1 distinct transmitters carried it. */
class ClientCopiesTest {
  static final Request A = Harness.request("c", "a");

  @Test
  void aRequestIsTakenOnceAtTheTPlusFirstDistinctTransmitter() {
    ClientCopies copies = new ClientCopies(2, 4, 100);
    assertThat(copies.copy(A, 0, 10)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(A, 0, 11)).as("the same transmitter twice counts once")
        .isEqualTo(Outcome.REPEAT);
    assertThat(copies.copy(A, 1, 11)).isEqualTo(Outcome.HELD);
    assertThat(copies.held()).isEqualTo(1);
    assertThat(copies.copy(A, 2, 12)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.copy(A, 3, 12)).as("later copies are ignored").isEqualTo(Outcome.REPEAT);
    assertThat(copies.held()).isZero();
    assertThat(copies.expire(14)).as("taken: nothing dropped").isEmpty();
  }

  @Test
  void otherBytesUnderTheSameClientAndSequenceAreAnotherRequest() {
    ClientCopies copies = new ClientCopies(1, 4, 100);
    Request forged = Request.command(A.client(), A.sequence(), "z".getBytes());
    assertThat(copies.copy(A, 0, 1)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(forged, 2, 1)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(A, 1, 1)).isEqualTo(Outcome.TAKEN);
  }

  @Test
  void aRequestHeldTooLongIsDroppedAndReturnedForItsReason() {
    ClientCopies copies = new ClientCopies(1, 4, 100);
    copies.copy(A, 2, 10);
    assertThat(copies.expire(13)).isEmpty();
    assertThat(copies.expire(14)).containsExactly(A);
    assertThat(copies.held()).isZero();
    assertThat(copies.copy(A, 0, 15)).as("forgotten: a new tally").isEqualTo(Outcome.HELD);
  }

  @Test
  void aFullTableDropsNewRequestsButStillCountsCopiesOfHeldOnes() {
    ClientCopies copies = new ClientCopies(1, 4, 1);
    Request b = Harness.request("c", "b");
    assertThat(copies.copy(A, 2, 1)).isEqualTo(Outcome.HELD);
    assertThat(copies.copy(b, 2, 1)).isEqualTo(Outcome.FULL);
    assertThat(copies.copy(A, 0, 1)).isEqualTo(Outcome.TAKEN);
    assertThat(copies.copy(b, 2, 1)).as("room again").isEqualTo(Outcome.HELD);
  }
}
