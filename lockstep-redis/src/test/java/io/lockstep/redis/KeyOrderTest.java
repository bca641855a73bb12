package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The snapshot's key order is unsigned-byte order whichever way {@link KeyOrder} gets there: by
 * counting passes over eight bytes at a time (from 2,048 slots), by merging those numbers
 * (below), by the next eight where they tie, or by comparing keys equal but for trailing
 * zeros. Checked against a comparison sort over keys made to hit each case: shared prefixes
 * longer than eight and sixteen bytes, keys that are prefixes of others or differ only by
 * trailing zero bytes (equal once padded), bytes above 0x7F (unsigned order).
 */
class KeyOrderTest {
  private static final byte[][] PREFIXES = {
    new byte[0],
    "key:".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "a-prefix-of-20-bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    {(byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0},
  };

  @Test
  void keysComeOutInUnsignedByteOrderAtSizesAroundTheRadixThreshold() {
    Random random = new Random(23);
    int[] sizes = {0, 1, 2, 5, 17, 300, KeyOrder.RADIX_MIN - 1, KeyOrder.RADIX_MIN,
        KeyOrder.RADIX_MIN + 1, 3 * KeyOrder.RADIX_MIN, 40_000};
    for (int size : sizes) {
      for (int trial = 0; trial < 3; trial++) {
        Keyspace.Slot[] slots = distinctKeys(random, size);
        Keyspace.Slot[] expected = slots.clone();
        Arrays.sort(expected, (a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        KeyOrder.sort(slots);
        assertThat(slots).as("size %d, trial %d", size, trial).containsExactly(expected);
      }
    }
  }

  @Test
  void keysThatDifferOnlyByTrailingZerosOrderShortestFirst() {
    Keyspace.Slot[] slots = new Keyspace.Slot[3 * KeyOrder.RADIX_MIN];
    for (int i = 0; i < slots.length; i++) {
      // Every key is "ab" and i % 20 zero bytes, then i's bytes when i >= 20: equal padded heads.
      byte[] key = new byte[2 + Math.min(i, 20) + (i >= 20 ? 4 : 0)];
      key[0] = 'a';
      key[1] = 'b';
      if (i >= 20) {
        java.nio.ByteBuffer.wrap(key, key.length - 4, 4).putInt(i);
      }
      slots[i] = slot(key);
    }
    java.util.Collections.shuffle(Arrays.asList(slots), new Random(5));
    Keyspace.Slot[] expected = slots.clone();
    Arrays.sort(expected, (a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    KeyOrder.sort(slots);
    assertThat(slots).containsExactly(expected);
  }

  /**
   * Keys sharing a prefix of 64 KiB, sorted on a thread with a 256 KiB stack: a level of
   * recursion per eight shared bytes (8,192 of them) would overflow it; past {@link
   * KeyOrder#RADIX_BYTES} the group is ordered by comparing keys instead.
   */
  @Test
  void keysSharingALongPrefixAreSortedWithoutDeepRecursion() throws Exception {
    Random random = new Random(11);
    byte[] prefix = new byte[64 * 1024];
    random.nextBytes(prefix);
    Keyspace.Slot[] slots = new Keyspace.Slot[64];
    for (int i = 0; i < slots.length; i++) {
      byte[] key = Arrays.copyOf(prefix, prefix.length + Integer.BYTES);
      java.nio.ByteBuffer.wrap(key, prefix.length, Integer.BYTES).putInt(random.nextInt());
      slots[i] = slot(key);
    }
    Keyspace.Slot[] expected = slots.clone();
    Arrays.sort(expected, (a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread small = new Thread(null, () -> {
      try {
        KeyOrder.sort(slots);
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "small-stack", 256 * 1024);
    small.start();
    small.join();
    assertThat(failure.get()).isNull();
    assertThat(slots).containsExactly(expected);
  }

  @Test
  void eightBytesAreReadBigEndianUnsignedAndPaddedWithZeros() {
    byte[] key = {1, 2, 3, (byte) 0xFF};
    assertThat(KeyOrder.eightBytes(key, 0)).isEqualTo(0x01_02_03_FF_00_00_00_00L);
    assertThat(KeyOrder.eightBytes(key, 2)).isEqualTo(0x03_FF_00_00_00_00_00_00L);
    assertThat(KeyOrder.eightBytes(key, 8)).isZero();
  }

  private static Keyspace.Slot[] distinctKeys(Random random, int size) {
    Set<String> seen = new HashSet<>();
    Keyspace.Slot[] slots = new Keyspace.Slot[size];
    for (int i = 0; i < size; i++) {
      byte[] key;
      do {
        byte[] prefix = PREFIXES[random.nextInt(PREFIXES.length)];
        key = Arrays.copyOf(prefix, prefix.length + random.nextInt(7));
        for (int j = prefix.length; j < key.length; j++) {
          // A small alphabet with 0x00 and bytes above 0x7F makes ties and sign errors likely.
          key[j] = (byte) new int[] {0, 1, 0x41, 0x7F, 0x80, 0xFF}[random.nextInt(6)];
        }
      } while (!seen.add(HexFormat.of().formatHex(key)));
      slots[i] = slot(key);
    }
    return slots;
  }

  private static Keyspace.Slot slot(byte[] key) {
    return new Keyspace.Slot(key, new Keyspace.Entry(new byte[0], 0));
  }
}
