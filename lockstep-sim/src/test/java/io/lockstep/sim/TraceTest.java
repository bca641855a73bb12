package io.lockstep.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Snapshot;
import io.lockstep.request.Request;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceTest {
  @Test
  void canonicalTextRendersBytesByContentNotIdentity() {
    Snapshot a = new Snapshot(3, 1, 5, List.of(0, 1), new byte[] {1, 2, 3});
    Snapshot b = new Snapshot(3, 1, 5, List.of(0, 1), new byte[] {1, 2, 3});
    Snapshot c = new Snapshot(3, 1, 5, List.of(0, 1), new byte[] {1, 2, 4});
    assertThat(Canon.of(a)).isEqualTo(Canon.of(b)).doesNotContain("[B@");
    assertThat(Canon.of(a)).isNotEqualTo(Canon.of(c));
    Request request = Request.command(ClientId.of("c1"), 4, new byte[] {9});
    assertThat(Canon.of(request)).contains("c1").contains("4").contains("bytes(1:");
  }

  @Test
  void setsAndMapsRenderInSortedOrderWhateverTheirIterationOrder() {
    assertThat(Canon.of(java.util.Set.of(3, 1, 2))).isEqualTo("{1,2,3}");
    assertThat(Canon.of(java.util.Map.of("b", 2, "a", 1))).isEqualTo("{a=1,b=2}");
  }

  @Test
  void equalLinesGiveEqualDigestsAndTheFileGetsEveryLine() {
    StringWriter file = new StringWriter();
    Trace one = new Trace(file);
    Trace two = new Trace(null);
    for (Trace trace : List.of(one, two)) {
      trace.record(1, "crash 0");
      trace.record(2, "boot 0");
    }
    assertThat(one.digest()).isEqualTo(two.digest()).hasSize(64);
    assertThat(file.toString()).isEqualTo("1 crash 0\n2 boot 0\n");
    two.record(3, "x");
    assertThat(two.digest()).isNotEqualTo(one.digest());
    assertThat(two.lines()).isEqualTo(3);
  }
}
