package io.lockstep.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each stored log entry lies: one span per {@link LogRecord.Entries} record (its first
 * and last index still in the log, its segment and byte offset), so that an entry no longer
 * held in memory is read back with one positioned read instead of a scan of the segments.
 *
 * <p>The spans follow the log's own rules: a record whose first index is at or below the last
 * stored one replaces the suffix from there (a follower's conflicting entries), a snapshot that
 * does not keep the log discards every span, and compaction drops the spans of deleted
 * segments. Spans therefore stay sorted and disjoint; one costs a few dozen bytes per batch of
 * entries, never the entries' payloads.
 */
final class EntryLocations {
  /** One record's entries: indexes [first, last] at byte {@code offset} of segment {@code sequence}. */
  record Span(long first, long last, long sequence, long offset) {}

  private final ArrayList<Span> spans = new ArrayList<>();

  /** A record of entries [first, last] was written at {@code offset} of segment {@code sequence}. */
  void written(long first, long last, long sequence, long offset) {
    while (!spans.isEmpty() && spans.get(spans.size() - 1).first() >= first) {
      spans.remove(spans.size() - 1);
    }
    if (!spans.isEmpty() && spans.get(spans.size() - 1).last() >= first) {
      Span cut = spans.remove(spans.size() - 1);
      spans.add(new Span(cut.first(), first - 1, cut.sequence(), cut.offset()));
    }
    spans.add(new Span(first, last, sequence, offset));
  }

  /** A snapshot replaced the whole stored log. */
  void clear() {
    spans.clear();
  }

  /** Segments before {@code firstSequence} were deleted. */
  void compacted(long firstSequence) {
    int gone = 0;
    while (gone < spans.size() && spans.get(gone).sequence() < firstSequence) {
      gone++;
    }
    spans.subList(0, gone).clear();
  }

  /** The spans holding any index in [from, to], in index order (possibly none). */
  List<Span> covering(long from, long to) {
    List<Span> found = new ArrayList<>();
    int low = 0;
    int high = spans.size() - 1;
    while (low < high) { // first span whose last index is at or past from
      int mid = (low + high) >>> 1;
      if (spans.get(mid).last() < from) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    for (int i = low; i < spans.size() && spans.get(i).first() <= to; i++) {
      if (spans.get(i).last() >= from) {
        found.add(spans.get(i));
      }
    }
    return found;
  }

  /** Number of spans, for tests. */
  int size() {
    return spans.size();
  }
}
