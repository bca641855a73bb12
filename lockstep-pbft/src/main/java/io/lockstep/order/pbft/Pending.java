package io.lockstep.order.pbft;

import io.lockstep.machine.ClientId;
import io.lockstep.request.Request;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The client requests this replica holds and has not executed: each arrived from its client
 * over the client's own authenticated connection, which is what lets a backup refuse a
 * pre-prepare whose requests a faulty primary made up. Kept in arrival order, so the primary
 * proposes oldest first and a backup watches the oldest for a slow primary.
 */
final class Pending {
  /**
   * A request's identity: its client, sequence number and (replicated clients) copy sender.
   * Keys fill maps of thousands ({@link NormalCase}'s recently executed requests hold a
   * window's worth), so neither the hash nor the lookup may depend on how clients name
   * themselves: the hash is mixed ({@link ClientId#hashWith}; the record's default
   * {@code 961·h(client) + 31·sequence + h(copyFrom)} gave 32 numbered clients' 4,096 recent
   * requests about 1,400 distinct hashes), and keys are ordered, so a bucket that still fills
   * (a faulty client can pick ids whose hashes are equal) becomes a tree searched in
   * logarithmic time rather than a chain of equality tests.
   */
  record Key(ClientId client, long sequence, ClientId copyFrom) implements Comparable<Key> {
    static Key of(Request request) {
      return new Key(request.client(), request.sequence(), request.copyFrom());
    }

    @Override
    public int hashCode() {
      return 31 * client.hashWith(sequence) + Objects.hashCode(copyFrom);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && sequence == k.sequence && client.equals(k.client)
          && Objects.equals(copyFrom, k.copyFrom);
    }

    /** By client, then sequence, then copy sender (none first): zero exactly when equal. */
    @Override
    public int compareTo(Key other) {
      int byClient = client.compareTo(other.client);
      if (byClient != 0) {
        return byClient;
      }
      int bySequence = Long.compare(sequence, other.sequence);
      if (bySequence != 0 || copyFrom == other.copyFrom) {
        return bySequence;
      }
      if (copyFrom == null || other.copyFrom == null) {
        return copyFrom == null ? -1 : 1;
      }
      return copyFrom.compareTo(other.copyFrom);
    }
  }

  /** One held request and its timing. */
  static final class Entry {
    final Request request;
    long heldSince;
    /** Whether a pre-prepare of the current view carries it (so the primary did its part). */
    boolean ordered;
    /** Whether the primary of the current view put it in a batch (the primary's own view). */
    boolean proposed;
    long forwardedAt = -1;

    Entry(Request request, long heldSince) {
      this.request = request;
      this.heldSince = heldSince;
    }
  }

  private final int capacity;
  private final Map<Key, Entry> held = new LinkedHashMap<>();

  Pending(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Holds {@code request}; returns its entry (the one already held under its identity for a
   * retransmission), or null if it is full (the request is refused, not lost silently).
   */
  Entry add(Request request, long now) {
    Objects.requireNonNull(request, "request");
    Key key = Key.of(request);
    Entry existing = held.get(key);
    if (existing != null) {
      // A retransmission; a different request under the same identity (a faulty client) is
      // not taken: the first one stays.
      return existing;
    }
    if (held.size() >= capacity) {
      return null;
    }
    Entry entry = new Entry(request, now);
    held.put(key, entry);
    return entry;
  }

  /** Whether this exact request is held. */
  boolean holds(Request request) {
    Entry entry = held.get(Key.of(request));
    return entry != null && entry.request.equals(request);
  }

  Entry get(Request request) {
    return held.get(Key.of(request));
  }

  /** Stops holding this exact request; returns its entry, or null if it was not held. */
  Entry remove(Request request) {
    Key key = Key.of(request);
    Entry entry = held.get(key);
    if (entry == null || !entry.request.equals(request)) {
      return null;
    }
    held.remove(key);
    return entry;
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  int size() {
    return held.size();
  }

  Iterable<Entry> entries() {
    return held.values();
  }

  Iterator<Entry> iterator() {
    return held.values().iterator();
  }

  /**
   * The first tick arrived: requests taken before it were stamped before this replica had a
   * clock reading, and their allowance starts now (else the first tick would find them waiting
   * since time 0 and suspect a primary that had no chance to order them).
   */
  void clockStarted(long now) {
    for (Entry entry : held.values()) {
      entry.heldSince = Math.max(entry.heldSince, now);
    }
  }

  /** A new view starts: every request gets a fresh allowance and is unordered in it. */
  void newView(long now) {
    for (Entry entry : held.values()) {
      entry.heldSince = now;
      entry.ordered = false;
      entry.proposed = false;
      entry.forwardedAt = -1;
    }
  }

  void clear() {
    held.clear();
  }
}
