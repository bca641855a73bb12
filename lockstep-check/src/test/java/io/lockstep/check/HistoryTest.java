package io.lockstep.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistoryTest {

  @Test
  void completionMustMatchItsInvocationsOperationAndKey() {
    History h = new History().add(Op.write(1, "k", "v", 0));
    assertThatThrownBy(() -> h.add(Op.write(1, "other", "v", 0).completeOk(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outstanding invocation is write of key \"k\"");
    assertThatThrownBy(() -> h.add(Op.read(1, "k", 0).completeRead("v", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(h.size()).as("rejected events change nothing").isEqualTo(1);
  }

  @Test
  void completionCannotPrecedeItsInvocation() {
    History h = new History().add(Op.delete(1, "k", 10));
    assertThatThrownBy(() -> h.add(Op.delete(1, "k", 10).completeOk(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("before it was invoked at time 10");
  }

  @Test
  void completionMayRepeatButNotContradictTheInvokedValues() {
    History h = new History().add(Op.cas(1, "k", "a", "b", 0));
    assertThatThrownBy(() -> h.add(new Op(1, Op.Type.OK, "cas", "k", "b", "z", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("value/expected other than its invocation's");
    h.add(new Op(1, Op.Type.OK, "cas", "k", null, null, 1));
    assertThat(h.size()).isEqualTo(2);
  }

  @Test
  void processHasAtMostOneOutstandingOperation() {
    History h = new History().add(Op.read(1, "k", 0));
    assertThatThrownBy(() -> h.add(Op.read(1, "k", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("still outstanding");
    h.add(Op.read(2, "k", 1));
    assertThat(h.ops()).hasSize(2);
  }

  @Test
  void opsViewIsReadOnly() {
    History h = new History().add(Op.read(1, "k", 0));
    assertThatThrownBy(() -> h.ops().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void opRejectsShapesTheModelDoesNotHave() {
    assertThatThrownBy(() -> Op.invoke(1, "incr", "k", null, null, 0))
        .hasMessageContaining("unknown f \"incr\"");
    assertThatThrownBy(() -> Op.invoke(1, "cas", "k", null, "a", 0))
        .hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Op.invoke(1, "delete", "k", "v", null, 0))
        .hasMessageContaining("a delete carries no value");
    assertThatThrownBy(() -> Op.invoke(1, "read", "k", null, "e", 0))
        .hasMessageContaining("only a cas carries expected");
    assertThatThrownBy(() -> new Op(1, Op.Type.INFO, "read", "k", "v", null, 0))
        .hasMessageContaining("only a read completed ok carries a value");
    assertThatThrownBy(() -> Op.Type.fromJson("done")).hasMessageContaining("unknown type");
  }

  @Test
  void completionHelpersKeepTheInvocationsFields() {
    Op cas = Op.cas(3, "k", null, "v", 5);
    assertThat(cas.completeOk(7)).isEqualTo(new Op(3, Op.Type.OK, "cas", "k", "v", null, 7));
    assertThat(cas.completeInfo(8).type()).isEqualTo(Op.Type.INFO);
    assertThat(Op.read(3, "k", 5).completeRead(null, 6).value()).isNull();
    assertThatThrownBy(() -> Op.read(3, "k", 5).completeOk(6))
        .hasMessageContaining("completeRead");
    assertThatThrownBy(() -> cas.completeRead("x", 6)).hasMessageContaining("not a cas");
    assertThatThrownBy(() -> cas.completeOk(6).completeFail(7))
        .hasMessageContaining("only an invocation can be completed");
  }
}
