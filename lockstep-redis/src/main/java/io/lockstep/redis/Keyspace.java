package io.lockstep.redis;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The store's state variables: keys with values and optional expiry times, plus an index of
 * expiry times and a running estimate of memory use.
 *
 * <p>Keys live in a hash map for O(1) commands; nothing ever iterates it in hash order (paper
 * §1: outputs must not depend on it): {@link #entries()} sorts by key, so snapshots are
 * byte-identical on every replica, and expiry walks the sorted index of times.
 */
final class Keyspace {
  /** Bytes charged per key on top of its key and value, roughly a JVM entry's overhead. */
  static final int ENTRY_OVERHEAD = 64;

  /** A value and the agreed time at which it expires, 0 for never. */
  record Entry(byte[] value, long expireAt) {
    boolean expiredAt(long now) {
      return expireAt != 0 && expireAt <= now;
    }
  }

  /** A key's expiry time in the expiry index. */
  private record Mark(long at, byte[] key) {}

  private static final Comparator<Mark> BY_TIME_THEN_KEY =
      Comparator.comparingLong(Mark::at).thenComparing(Mark::key, Arrays::compareUnsigned);

  /** A key as a map key: byte-array content equality, hash computed once. */
  private record Key(byte[] bytes, int hash) {
    static Key of(byte[] bytes) {
      return new Key(bytes, Arrays.hashCode(bytes));
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final HashMap<Key, Entry> entries = new HashMap<>();
  private final TreeSet<Mark> marks = new TreeSet<>(BY_TIME_THEN_KEY);
  private long usedBytes;

  /** The key's entry if it exists and has not expired by agreed time {@code now}, else null. */
  Entry live(byte[] key, long now) {
    Entry e = entries.get(Key.of(key));
    return e == null || e.expiredAt(now) ? null : e;
  }

  /** Memory the keyspace would use after replacing {@code key}'s entry by one of {@code value}. */
  long usedBytesAfterPut(byte[] key, byte[] value) {
    Entry old = entries.get(Key.of(key));
    return usedBytes + cost(key, value) - (old == null ? 0 : cost(key, old.value()));
  }

  /** Sets {@code key}, replacing any entry and its expiry. */
  void put(byte[] key, Entry entry) {
    Key k = Key.of(key);
    Entry old = entries.put(k, entry);
    if (old != null) {
      forget(k, old);
    }
    usedBytes += cost(key, entry.value());
    if (entry.expireAt() != 0) {
      marks.add(new Mark(entry.expireAt(), key));
    }
  }

  /**
   * Changes an existing key's expiry time ({@code 0} for never), keeping its value and moving
   * its mark in the expiry index.
   *
   * @throws IllegalStateException if {@code key} is absent (callers check first)
   */
  void setExpiry(byte[] key, long expireAt) {
    Entry old = entries.get(Key.of(key));
    if (old == null) {
      throw new IllegalStateException("cannot set the expiry of an absent key");
    }
    put(key, new Entry(old.value(), expireAt));
  }

  /** Removes {@code key}; returns its entry (expired or not), or null. */
  Entry remove(byte[] key) {
    Key k = Key.of(key);
    Entry old = entries.remove(k);
    if (old != null) {
      forget(k, old);
    }
    return old;
  }

  /** Takes a replaced or removed entry out of the memory count and the expiry index. */
  private void forget(Key key, Entry old) {
    usedBytes -= cost(key.bytes(), old.value());
    if (old.expireAt() != 0) {
      marks.remove(new Mark(old.expireAt(), key.bytes()));
    }
  }

  /** Removes every key whose expiry time is at or before {@code now}. */
  void removeExpired(long now) {
    while (!marks.isEmpty() && marks.first().at() <= now) {
      remove(marks.first().key());
    }
  }

  /** The earliest expiry time of any key, or 0 when no key expires. */
  long nextExpiry() {
    return marks.isEmpty() ? 0 : marks.first().at();
  }

  /** A key and its entry as they were when a snapshot was captured; both are immutable. */
  record Slot(byte[] key, Entry entry) {}

  /**
   * Every key and entry as they are now, in no particular order: O(keys) references and no
   * copy of any key or value, since entries are replaced, never changed in place. Cheap enough
   * for the loop thread; sorting and encoding happen where the snapshot is written.
   */
  Slot[] capture() {
    Slot[] slots = new Slot[entries.size()];
    int i = 0;
    for (Map.Entry<Key, Entry> e : entries.entrySet()) {
      slots[i++] = new Slot(e.getKey().bytes(), e.getValue());
    }
    return slots;
  }

  /** Entries in key order (a sorted copy, for snapshots: O(n log n), taken rarely). */
  NavigableMap<byte[], Entry> entries() {
    TreeMap<byte[], Entry> sorted = new TreeMap<>(Arrays::compareUnsigned);
    entries.forEach((key, entry) -> sorted.put(key.bytes(), entry));
    return java.util.Collections.unmodifiableNavigableMap(sorted);
  }

  int size() {
    return entries.size();
  }

  long usedBytes() {
    return usedBytes;
  }

  private static long cost(byte[] key, byte[] value) {
    return (long) key.length + value.length + ENTRY_OVERHEAD;
  }
}
