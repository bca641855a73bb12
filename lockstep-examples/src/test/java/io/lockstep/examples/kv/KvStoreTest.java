package io.lockstep.examples.kv;

import static io.lockstep.examples.Harness.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.examples.Harness;
import io.lockstep.machine.ClientId;
import io.lockstep.machine.Rejection;
import io.lockstep.request.Reply;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The key-value store, driven through a real executor. */
class KvStoreTest {
  private final KvStore store = new KvStore();
  private final Harness kv = new Harness(store);

  @Test
  void putReturnsThePreviousValueAndGetReadsIt() {
    assertThat(KvCodec.decodeValue(ok(kv.send("a", KvCodec.put("k", "v1"), 1)))).isNull();
    assertThat(KvCodec.decodeValue(ok(kv.send("a", KvCodec.put("k", "v2"), 2)))).isEqualTo("v1");
    assertThat(KvCodec.decodeValue(ok(kv.send("b", KvCodec.get("k"), 3)))).isEqualTo("v2");
    assertThat(KvCodec.decodeValue(kv.executor.query(ClientId.of("c"), KvCodec.get("k"))))
        .isEqualTo("v2");
    assertThat(KvCodec.decodeValue(ok(kv.send("b", KvCodec.get("missing"), 4)))).isNull();
  }

  @Test
  void deleteSaysWhetherTheKeyExisted() {
    kv.send("a", KvCodec.put("k", "v"), 1);
    assertThat(KvCodec.decodeBoolean(ok(kv.send("a", KvCodec.delete("k"), 2)))).isTrue();
    assertThat(KvCodec.decodeBoolean(ok(kv.send("a", KvCodec.delete("k"), 3)))).isFalse();
    assertThat(store.size()).isZero();
  }

  @Test
  void casSwapsOnlyWhenTheExpectedValueIsCurrent() {
    assertThat(KvCodec.decodeBoolean(ok(kv.send("a", KvCodec.cas("k", null, "one"), 1))))
        .isTrue();
    assertThat(KvCodec.decodeBoolean(ok(kv.send("a", KvCodec.cas("k", null, "two"), 2))))
        .isFalse();
    assertThat(KvCodec.decodeBoolean(ok(kv.send("a", KvCodec.cas("k", "zero", "two"), 3))))
        .isFalse();
    assertThat(KvCodec.decodeBoolean(ok(kv.send("a", KvCodec.cas("k", "one", "two"), 4))))
        .isTrue();
    assertThat(store.get("k")).isEqualTo("two");
  }

  @Test
  void incrementAddsToAnIntegerValueStartingFromZero() {
    assertThat(KvCodec.decodeLong(ok(kv.send("a", KvCodec.increment("n", 5), 1)))).isEqualTo(5);
    assertThat(KvCodec.decodeLong(ok(kv.send("a", KvCodec.increment("n", -7), 2)))).isEqualTo(-2);
    assertThat(store.get("n")).isEqualTo("-2");
  }

  @Test
  void incrementOfANonIntegerIsRejectedAndChangesNothing() {
    kv.send("a", KvCodec.put("k", "hello"), 1);
    Reply reply = kv.send("a", KvCodec.increment("k", 1), 2);
    assertThat(reply.status()).isEqualTo(Reply.Status.REJECTED);
    assertThat(reply.reason()).contains("not an integer");
    assertThat(store.get("k")).isEqualTo("hello");
    kv.send("a", KvCodec.put("max", Long.toString(Long.MAX_VALUE)), 3);
    assertThat(kv.send("a", KvCodec.increment("max", 1), 4).reason()).contains("overflows");
  }

  @Test
  void malformedCommandsAreRejectedWithAReason() {
    byte[] unknownOp = KvCodec.get("k");
    unknownOp[1] = 42;
    byte[] badVersion = KvCodec.get("k");
    badVersion[0] = 7;
    byte[] truncated = java.util.Arrays.copyOf(KvCodec.put("k", "value"), 9);
    byte[] trailing = java.util.Arrays.copyOf(KvCodec.get("k"), KvCodec.get("k").length + 1);

    assertThat(kv.send("a", unknownOp, 1).reason()).contains("unknown opcode 42");
    assertThat(kv.send("a", badVersion, 2).reason()).contains("unsupported version 7");
    assertThat(kv.send("a", truncated, 3).reason()).contains("truncated");
    assertThat(kv.send("a", trailing, 4).reason()).contains("trailing");
    assertThat(kv.send("a", new byte[0], 5).reason()).contains("malformed kv command");
    assertThat(store.size()).isZero();
  }

  @Test
  void oversizedKeysAreRefusedByTheEncoderAndTheStore() {
    String longKey = "k".repeat(KvCodec.MAX_KEY_BYTES + 1);
    assertThatThrownBy(() -> KvCodec.get(longKey)).hasMessageContaining("limit is 1024");
    byte[] forged = new io.lockstep.codec.WireWriter().writeByte(1).writeByte(1)
        .writeString(longKey).toByteArray();
    assertThat(kv.send("a", forged, 1).reason()).contains("key is 1025 bytes, the limit is 1024");
  }

  @Test
  void onlyGetRunsAsAQuery() {
    assertThatThrownBy(() -> kv.executor.query(ClientId.of("a"), KvCodec.put("k", "v")))
        .isInstanceOf(Rejection.class).hasMessageContaining("only GET");
  }

  @Test
  void snapshotIsDeterministicWhateverTheInsertionOrder() {
    KvStore one = new KvStore();
    KvStore two = new KvStore();
    new Harness(one).send("a", KvCodec.put("x", "1"), 1);
    Harness h1 = new Harness(one);
    h1.send("b", KvCodec.put("y", "2"), 2);
    Harness h2 = new Harness(two);
    h2.send("a", KvCodec.put("y", "2"), 1);
    h2.send("a", KvCodec.put("x", "1"), 2);
    assertThat(one.snapshot()).isEqualTo(two.snapshot());

    KvStore restored = new KvStore();
    restored.restore(one.snapshot());
    assertThat(restored.snapshot()).isEqualTo(one.snapshot());
    assertThatThrownBy(() -> restored.restore(new byte[] {1, 0, 0, 0, 9}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void commandsRoundTripThroughTheCodec(
      @ForAll @StringLength(max = 40) String key,
      @ForAll @StringLength(max = 200) String value,
      @ForAll long delta) {
    assertThat(KvCodec.decode(KvCodec.put(key, value))).isEqualTo(new KvCommand.Put(key, value));
    assertThat(KvCodec.decode(KvCodec.cas(key, null, value)))
        .isEqualTo(new KvCommand.Cas(key, null, value));
    assertThat(KvCodec.decode(KvCodec.cas(key, value, key)))
        .isEqualTo(new KvCommand.Cas(key, value, key));
    assertThat(KvCodec.decode(KvCodec.increment(key, delta)))
        .isEqualTo(new KvCommand.Increment(key, delta));
    assertThat(KvCodec.decodeValue(KvCodec.encodeValue(value))).isEqualTo(value);
  }
}
