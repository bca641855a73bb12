package io.lockstep.redis;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The store's state variables: keys with values and optional expiry times, kept sorted by key so
 * that snapshots are byte-identical on every replica (paper §1: no hash-ordered iteration), plus
 * an index of expiry times and a running estimate of memory use.
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

  private final TreeMap<byte[], Entry> entries = new TreeMap<>(Arrays::compareUnsigned);
  private final TreeSet<Mark> marks = new TreeSet<>(BY_TIME_THEN_KEY);
  private long usedBytes;

  /** The key's entry if it exists and has not expired by agreed time {@code now}, else null. */
  Entry live(byte[] key, long now) {
    Entry e = entries.get(key);
    return e == null || e.expiredAt(now) ? null : e;
  }

  /** Memory the keyspace would use after replacing {@code key}'s entry by one of {@code value}. */
  long usedBytesAfterPut(byte[] key, byte[] value) {
    Entry old = entries.get(key);
    return usedBytes + cost(key, value) - (old == null ? 0 : cost(key, old.value()));
  }

  /** Sets {@code key}, replacing any entry and its expiry. */
  void put(byte[] key, Entry entry) {
    remove(key);
    entries.put(key, entry);
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
    Entry old = entries.get(key);
    if (old == null) {
      throw new IllegalStateException("cannot set the expiry of an absent key");
    }
    put(key, new Entry(old.value(), expireAt));
  }

  /** Removes {@code key}; returns its entry (expired or not), or null. */
  Entry remove(byte[] key) {
    Entry old = entries.remove(key);
    if (old != null) {
      usedBytes -= cost(key, old.value());
      if (old.expireAt() != 0) {
        marks.remove(new Mark(old.expireAt(), key));
      }
    }
    return old;
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

  /** Entries in key order (read-only view). */
  NavigableMap<byte[], Entry> entries() {
    return java.util.Collections.unmodifiableNavigableMap(entries);
  }

  int size() {
    return entries.size();
  }

  long usedBytes() {
    return usedBytes;
  }

  /** Replaces everything with {@code sorted}, which must be in key order. */
  void reset(Map<byte[], Entry> sorted) {
    entries.clear();
    marks.clear();
    usedBytes = 0;
    sorted.forEach(this::put);
  }

  private static long cost(byte[] key, byte[] value) {
    return (long) key.length + value.length + ENTRY_OVERHEAD;
  }
}
