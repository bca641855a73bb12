package io.lockstep.redis;

import static io.lockstep.redis.StoreHarness.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.machine.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** X2: the store's streamed snapshot, captured on the loop and written elsewhere. */
class StoreSnapshotStreamTest {
  private static final long T0 = 1_700_000_000_000L;

  private static RedisOp set(String key, String value) {
    return RedisOp.Set.of(b(key), b(value));
  }

  private static RedisOp setPx(String key, String value, long millis) {
    return new RedisOp.Set(b(key), b(value), RedisOp.Condition.ALWAYS, null,
        RedisOp.Expiry.RELATIVE, millis, false);
  }

  private static StoreHarness filled(int keys) {
    StoreHarness h = new StoreHarness();
    for (int i = keys; i > 0; i--) {
      h.apply(T0 + i, i % 7 == 0 ? setPx("key" + i, "value" + i, 60_000) : set("key" + i, "v" + i));
    }
    return h;
  }

  private static byte[] written(SnapshotWriter writer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.writeTo(out);
    return out.toByteArray();
  }

  @Test
  void theStreamedFormIsByteForByteTheArrayForm() throws IOException {
    StoreHarness h = filled(500);
    assertThat(written(h.store.captureSnapshot())).isEqualTo(h.store.snapshot());
  }

  @Test
  void theStreamedFormIsTheArrayFormAcrossBufferBoundariesAndForValuesLargerThanTheBuffer()
      throws IOException {
    // 5,000 keys (several 64 KiB buffers, fields split at their ends) and values of 64 KiB - 1,
    // 64 KiB and 100 KB (copied, filling a buffer exactly, and written straight through).
    StoreHarness h = filled(5_000);
    h.apply(T0 + 6_000, set("big1", "x".repeat(65_535)));
    h.apply(T0 + 6_001, set("big2", "y".repeat(65_536)));
    h.apply(T0 + 6_002, setPx("big3", "z".repeat(100_000), 60_000));
    byte[] streamed = written(h.store.captureSnapshot());
    assertThat(streamed.length).isGreaterThan(4 * 65_536);
    assertThat(streamed).isEqualTo(h.store.snapshot());
  }

  @Test
  void aCaptureWritesTheStateAtCaptureTimeWhileTheStoreGoesOn() throws Exception {
    StoreHarness h = filled(300);
    byte[] atCapture = h.store.snapshot();
    SnapshotWriter capture = h.store.captureSnapshot();
    // Overwrite, delete and add keys after the capture, then write it on another thread.
    h.apply(T0 + 1000, set("key1", "changed"));
    h.apply(T0 + 1000, new RedisOp.Del(java.util.List.of(b("key2"))));
    h.apply(T0 + 1000, set("new", "x"));
    byte[] later = CompletableFuture.supplyAsync(() -> {
      try {
        return written(capture);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).get();
    assertThat(later).isEqualTo(atCapture);
    assertThat(h.store.snapshot()).isNotEqualTo(atCapture);
  }

  @Test
  void aStreamedRestoreGivesTheSameStateAndBehaviour() throws IOException {
    StoreHarness a = filled(200);
    RedisStore copy = new RedisStore();
    copy.restore(new ByteArrayInputStream(a.store.snapshot()));
    assertThat(copy.snapshot()).isEqualTo(a.store.snapshot());
    assertThat(copy.usedBytes()).isEqualTo(a.store.usedBytes());
    assertThat(copy.size()).isEqualTo(200);
    assertThat(copy.lastTime()).isEqualTo(a.store.lastTime());
  }

  @Test
  void theExecutorStreamsTheStoreAndRestoresIt() throws IOException {
    StoreHarness a = filled(100);
    CapturedSnapshot captured = a.executor.captureSnapshot();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    captured.writeTo(out);
    StoreHarness b = new StoreHarness();
    b.restore(out.toByteArray());
    assertThat(b.executor.digest()).isEqualTo(a.executor.digest());
    assertThat(b.get("key7")).isEqualTo(RespReply.bulk("value7"));
  }

  @Test
  void aCorruptStreamIsRefusedWithAReason() {
    StoreHarness h = filled(20);
    byte[] good = h.store.snapshot();
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x04;
      assertThatThrownBy(() -> new RedisStore().restore(new ByteArrayInputStream(bad)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store snapshot");
    }
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 3);
    assertThatThrownBy(() -> new RedisStore().restore(new ByteArrayInputStream(cut)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
  }

  @Test
  void theKeySortOrdersDistinctKeysAsUnsignedBytesAtEverySize() {
    java.util.Random random = new java.util.Random(17);
    for (int size = 0; size <= 300; size++) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      Keyspace.Slot[] slots = new Keyspace.Slot[size];
      for (int i = 0; i < size; i++) {
        byte[] key;
        do {
          key = new byte[random.nextInt(4)]; // short keys: prefixes of each other, bytes >= 0x80
          random.nextBytes(key);
        } while (!seen.add(java.util.HexFormat.of().formatHex(key)));
        slots[i] = new Keyspace.Slot(key, new Keyspace.Entry(new byte[0], 0));
      }
      Keyspace.Slot[] expected = slots.clone();
      java.util.Arrays.sort(expected,
          (a, c) -> java.util.Arrays.compareUnsigned(a.key(), c.key()));
      KeyOrder.mergeSort(slots, slots.clone(), 0, size);
      assertThat(slots).as("size %d", size).containsExactly(expected);
    }
  }
}
