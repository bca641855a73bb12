package io.lockstep.redis;

import java.util.Arrays;

/**
 * Sorts a captured keyspace by key (unsigned bytes; keys are distinct), the order that makes equal
 * states write equal snapshot bytes on every replica (S1).
 *
 * <p>Why a radix sort: under PBFT every replica writes the whole state at every checkpoint, and
 * at a state of 400,000 keys a comparison sort was nine tenths of that work: ~7.6 million
 * comparisons, each following two references to keys scattered over the heap. Here each key is
 * read once per eight of its bytes: the first eight, as one unsigned big-endian number (zeros
 * past its end), order the slots in up to four stable counting passes of 16 bits (a pass in
 * which every number has the same digit is skipped, as for keys that share a prefix), or, for
 * fewer than {@link #RADIX_MIN} slots, by a merge of the numbers kept beside them; slots whose
 * eight bytes are equal are ordered the same way by their next eight, and keys no longer than
 * the bytes compared (equal but for trailing zeros), or sharing more than {@link #RADIX_BYTES},
 * by comparing keys.
 */
final class KeyOrder {
  /** Fewer slots than this are merged by their numbers: a counting pass costs 65,536 counters. */
  static final int RADIX_MIN = 2_048;
  /**
   * Past this many shared bytes a group is ordered by comparing keys: each further eight bytes
   * would cost a level of recursion, and a client could write keys sharing a prefix of
   * megabytes; a comparison then finds the first differing byte with a vectorised scan.
   */
  static final int RADIX_BYTES = 64;
  /** Runs this short are sorted by insertion before they are merged. */
  private static final int INSERTION_RUN = 16;
  private static final int DIGIT_BITS = 16;
  private static final int DIGITS = 1 << DIGIT_BITS;

  private final Keyspace.Slot[] slots;
  private final Keyspace.Slot[] scratch;
  private final long[] numbers;
  private final long[] scratchNumbers;
  private int[] counts;

  private KeyOrder(Keyspace.Slot[] slots) {
    this.slots = slots;
    this.scratch = new Keyspace.Slot[slots.length];
    this.numbers = new long[slots.length];
    this.scratchNumbers = new long[slots.length];
  }

  /** Sorts {@code slots} in place by key. */
  static void sort(Keyspace.Slot[] slots) {
    new KeyOrder(slots).sort(0, slots.length, 0);
  }

  /** Sorts {@code slots[from, to)}, whose keys agree on their first {@code offset} bytes. */
  private void sort(int from, int to, int offset) {
    if (offset >= RADIX_BYTES) {
      System.arraycopy(slots, from, scratch, from, to - from);
      mergeSort(slots, scratch, from, to);
      return;
    }
    boolean longer = false;
    for (int i = from; i < to; i++) {
      byte[] key = slots[i].key();
      numbers[i] = eightBytes(key, offset);
      longer |= key.length > offset + Long.BYTES;
    }
    if (to - from >= RADIX_MIN) {
      for (int shift = 0; shift < Long.SIZE; shift += DIGIT_BITS) {
        countingPass(from, to, shift);
      }
    } else {
      // The numbers sit beside the slots: comparing them reads no key.
      System.arraycopy(slots, from, scratch, from, to - from);
      System.arraycopy(numbers, from, scratchNumbers, from, to - from);
      byNumber(slots, numbers, scratch, scratchNumbers, from, to);
    }
    for (int start = from; start < to; ) {
      int end = start + 1;
      while (end < to && numbers[end] == numbers[start]) {
        end++;
      }
      if (end - start > 1) {
        // Equal eight bytes: the next eight decide, unless no key has more (then length does).
        if (longer) {
          sort(start, end, offset + Long.BYTES);
        } else {
          System.arraycopy(slots, start, scratch, start, end - start);
          mergeSort(slots, scratch, start, end);
        }
      }
      start = end;
    }
  }

  /**
   * Sorts {@code slots[from, to)} and their {@code numbers} by number (unsigned), stably, using
   * the scratch arrays (copies of the same ranges) for the merges, as {@link #mergeSort} does.
   */
  private static void byNumber(Keyspace.Slot[] slots, long[] numbers, Keyspace.Slot[] scratch,
      long[] scratchNumbers, int from, int to) {
    if (to - from <= INSERTION_RUN) {
      for (int i = from + 1; i < to; i++) {
        Keyspace.Slot slot = slots[i];
        long number = numbers[i];
        int j = i - 1;
        while (j >= from && Long.compareUnsigned(numbers[j], number) > 0) {
          slots[j + 1] = slots[j];
          numbers[j + 1] = numbers[j];
          j--;
        }
        slots[j + 1] = slot;
        numbers[j + 1] = number;
      }
      return;
    }
    int middle = (from + to) >>> 1;
    byNumber(scratch, scratchNumbers, slots, numbers, from, middle);
    byNumber(scratch, scratchNumbers, slots, numbers, middle, to);
    int left = from;
    int right = middle;
    for (int i = from; i < to; i++) {
      boolean takeLeft = right >= to || (left < middle
          && Long.compareUnsigned(scratchNumbers[left], scratchNumbers[right]) <= 0);
      int taken = takeLeft ? left++ : right++;
      slots[i] = scratch[taken];
      numbers[i] = scratchNumbers[taken];
    }
  }

  /** One stable pass ordering {@code [from, to)} by the 16-bit digit at {@code shift}. */
  private void countingPass(int from, int to, int shift) {
    if (counts == null) {
      counts = new int[DIGITS + 1];
    } else {
      Arrays.fill(counts, 0);
    }
    for (int i = from; i < to; i++) {
      counts[digit(numbers[i], shift) + 1]++;
    }
    if (counts[digit(numbers[from], shift) + 1] == to - from) {
      return; // one digit for all: the pass would change nothing
    }
    for (int d = 0; d < DIGITS; d++) {
      counts[d + 1] += counts[d];
    }
    for (int i = from; i < to; i++) {
      int at = from + counts[digit(numbers[i], shift)]++;
      scratch[at] = slots[i];
      scratchNumbers[at] = numbers[i];
    }
    System.arraycopy(scratch, from, slots, from, to - from);
    System.arraycopy(scratchNumbers, from, numbers, from, to - from);
  }

  private static int digit(long number, int shift) {
    return (int) (number >>> shift) & (DIGITS - 1);
  }

  /** Bytes {@code [offset, offset + 8)} of {@code key} as an unsigned big-endian number. */
  static long eightBytes(byte[] key, int offset) {
    long number = 0;
    for (int i = offset; i < offset + Long.BYTES; i++) {
      number = number << Byte.SIZE | (i < key.length ? key[i] & 0xFF : 0);
    }
    return number;
  }

  /**
   * Sorts {@code slots[from, to)} by comparing keys, using {@code scratch} (a copy of the same
   * range) for the merges. A merge sort of its own rather than {@code Arrays.sort} with a
   * comparator: that shares TimSort's compiled code with every other object sort in the JVM,
   * and the compiled merges were thrown away for this array's type and compiled again at nearly
   * every PBFT checkpoint as other sorts used them with other arrays in between.
   */
  static void mergeSort(Keyspace.Slot[] slots, Keyspace.Slot[] scratch, int from, int to) {
    if (to - from <= INSERTION_RUN) {
      for (int i = from + 1; i < to; i++) {
        Keyspace.Slot slot = slots[i];
        int j = i - 1;
        while (j >= from && Arrays.compareUnsigned(slots[j].key(), slot.key()) > 0) {
          slots[j + 1] = slots[j];
          j--;
        }
        slots[j + 1] = slot;
      }
      return;
    }
    int middle = (from + to) >>> 1;
    // The halves are sorted in scratch and merged into slots: the two arrays swap roles.
    mergeSort(scratch, slots, from, middle);
    mergeSort(scratch, slots, middle, to);
    int left = from;
    int right = middle;
    for (int i = from; i < to; i++) {
      boolean takeLeft = right >= to || (left < middle
          && Arrays.compareUnsigned(scratch[left].key(), scratch[right].key()) <= 0);
      slots[i] = takeLeft ? scratch[left++] : scratch[right++];
    }
  }
}
