package io.lockstep.order.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The forged request a lying transmitter adds to its batch. */
class ChainLiesTest {
  private static final ClientId C = ClientId.of("c");
  private static final ClientId D = ClientId.of("d");

  @Test
  void theForgedRequestIsTheFirstClientsNextOneWithTheSameCommand() {
    Request first = Request.command(C, 4, "x".getBytes());
    Request second = Request.command(D, 9, "y".getBytes());
    List<Request> requests = Arrays.asList(null, first, second);

    List<Request> forged = ChainLies.withForgedRequest(requests);

    assertThat(forged).hasSize(4).startsWith(null, first, second);
    Request extra = forged.get(3);
    assertThat(extra.client()).isEqualTo(C);
    assertThat(extra.sequence()).isEqualTo(5);
    assertThat(extra.kind()).isEqualTo(first.kind());
    assertThat(extra.command()).isEqualTo("x".getBytes());
    assertThat(requests).as("the batch handed in is left alone").hasSize(3);
  }

  @Test
  void readBarriersAloneGetNoForgery() {
    List<Request> barriers = Arrays.asList(null, null);

    assertThat(ChainLies.withForgedRequest(barriers)).containsExactly(null, null);
    assertThat(ChainLies.withForgedRequest(List.of())).isEmpty();
  }
}
