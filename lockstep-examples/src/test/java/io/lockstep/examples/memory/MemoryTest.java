package io.lockstep.examples.memory;

import static io.lockstep.examples.Harness.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.examples.Harness;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Paper §5.2: memory with per-client write ranges, driven through a real executor. */
class MemoryTest {
  private final Memory memory = new Memory(Map.of(
      ClientId.of("a"), List.of(new WriteRange(0, 100)),
      ClientId.of("b"), List.of(new WriteRange(100, 200), new WriteRange(500, 501))), 1_000);
  private final Harness harness = new Harness(memory);

  @Test
  void clientsWriteInsideTheirRangesAndAnyoneReads() {
    assertThat(MemoryCodec.decodeValue(ok(harness.send("a", MemoryCodec.write(7, 42), 1))))
        .isZero();
    assertThat(MemoryCodec.decodeValue(ok(harness.send("b", MemoryCodec.write(500, 9), 2))))
        .isZero();
    assertThat(MemoryCodec.decodeValue(ok(harness.send("a", MemoryCodec.write(7, 43), 3))))
        .isEqualTo(42);
    assertThat(MemoryCodec.decodeValue(ok(harness.send("c", MemoryCodec.read(7), 4))))
        .isEqualTo(43);
    assertThat(MemoryCodec.decodeValue(
        harness.executor.query(ClientId.of("c"), MemoryCodec.read(500)))).isEqualTo(9);
  }

  @Test
  void outOfRangeWriteIsRefusedNamingTheRangeAndChangesNothing() {
    harness.send("b", MemoryCodec.write(150, 1), 1);
    byte[] before = memory.snapshot();
    Reply reply = harness.send("a", MemoryCodec.write(150, 666), 2);
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason())
        .isEqualTo("address 150 is outside the write range of client a: [0, 100)");
    assertThat(memory.snapshot()).isEqualTo(before);
    assertThat(memory.peek(150)).isEqualTo(1);
    assertThat(harness.send("b", MemoryCodec.write(200, 1), 3).reason())
        .contains("[100, 200), [500, 501)");
  }

  @Test
  void aClientWithoutRangesMayOnlyRead() {
    Reply reply = harness.send("stranger", MemoryCodec.write(1, 1), 1);
    assertThat(reply.reason()).isEqualTo("client stranger may not write: it has no write range");
    assertThat(ok(harness.send("stranger", MemoryCodec.read(1), 2))).hasSize(8);
  }

  @Test
  void malformedCommandsAreRejected() {
    assertThat(harness.send("a", new byte[] {1, 2, 0}, 1).reason()).contains("truncated");
    assertThat(harness.send("a", new byte[] {1, 7}, 2).reason()).contains("unknown operation 7");
    assertThatThrownBy(() -> harness.executor.query(ClientId.of("a"), MemoryCodec.write(1, 1)))
        .hasMessageContaining("only READ");
  }

  @Test
  void memoryIsBoundedAndSnapshotsRoundTrip() {
    Harness tiny = new Harness(new Memory(Map.of(ClientId.of("a"),
        List.of(new WriteRange(0, 10))), 1));
    ok(tiny.send("a", MemoryCodec.write(1, 5), 1));
    assertThat(tiny.send("a", MemoryCodec.write(2, 5), 2).reason()).contains("memory is full");
    ok(tiny.send("a", MemoryCodec.write(1, 0), 3));
    ok(tiny.send("a", MemoryCodec.write(2, 5), 4));

    harness.send("a", MemoryCodec.write(3, -1), 1);
    Memory copy = new Memory(Map.of(), 10);
    copy.restore(memory.snapshot());
    assertThat(copy.peek(3)).isEqualTo(-1);
    assertThatThrownBy(() -> copy.restore(new byte[] {1, 0, 0, 0, 2}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WriteRange(5, 5)).hasMessageContaining("empty write range");
  }
}
