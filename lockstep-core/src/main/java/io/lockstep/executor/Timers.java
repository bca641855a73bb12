package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The pending time-outs and default requests, in firing order: due time, then creation order
 * (paper §5.2 and §6 need every replica to run them at the same point of the order; both keys
 * are replicated state, so the order is the same everywhere).
 */
final class Timers {
  /** Bound on pending scheduled requests, so a runaway command cannot exhaust memory. */
  static final int MAX_SCHEDULED = 100_000;

  private static final Comparator<Scheduled> FIRING_ORDER =
      Comparator.comparingLong(Scheduled::due).thenComparingLong(Scheduled::creation);

  private final TreeSet<Scheduled> queue = new TreeSet<>(FIRING_ORDER);
  /** Defaults per expected client, so that a request can cancel them without a scan. */
  private final Map<ClientId, List<Scheduled>> defaultsByClient = new HashMap<>();
  private long nextCreation;

  /** Number of pending scheduled requests. */
  int size() {
    return queue.size();
  }

  long nextCreation() {
    return nextCreation;
  }

  /** Adds a request created now; assigns its creation number. */
  void add(long due, Scheduled.Kind kind, ClientId client, byte[] command) {
    insert(new Scheduled(due, nextCreation++, kind, client, command));
  }

  /** The first request due at or before {@code time}, removed from the queue; null if none. */
  Scheduled pollDue(long time) {
    if (queue.isEmpty() || queue.first().due() > time) {
      return null;
    }
    Scheduled first = queue.pollFirst();
    if (first.kind() == Scheduled.Kind.DEFAULT) {
      forgetDefault(first);
    }
    return first;
  }

  /** Paper §6: a request from {@code client} cancels the defaults that stood in for it. */
  void cancelDefaults(ClientId client) {
    List<Scheduled> defaults = defaultsByClient.remove(client);
    if (defaults != null) {
      defaults.forEach(queue::remove);
    }
  }

  OptionalLong nextDue() {
    return queue.isEmpty() ? OptionalLong.empty() : OptionalLong.of(queue.first().due());
  }

  /** All pending requests in firing order (for snapshots). */
  List<Scheduled> inOrder() {
    return new ArrayList<>(queue);
  }

  /** Replaces the whole content (restore). */
  void reset(List<Scheduled> scheduled, long creationCounter) {
    queue.clear();
    defaultsByClient.clear();
    scheduled.forEach(this::insert);
    nextCreation = creationCounter;
  }

  private void insert(Scheduled s) {
    queue.add(s);
    if (s.kind() == Scheduled.Kind.DEFAULT) {
      defaultsByClient.computeIfAbsent(s.client(), c -> new ArrayList<>()).add(s);
    }
  }

  private void forgetDefault(Scheduled s) {
    List<Scheduled> defaults = defaultsByClient.get(s.client());
    if (defaults != null) {
      defaults.remove(s);
      if (defaults.isEmpty()) {
        defaultsByClient.remove(s.client());
      }
    }
  }
}
