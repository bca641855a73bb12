package io.lockstep.executor;

import io.lockstep.machine.ClientId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The bounded table of client sessions (X4). When it is full, opening a session evicts the
 * session whose latest request is oldest in the order (least recently used by position; ties,
 * possible when a released request touches a session at the same position, go to the smaller
 * client id). Eviction depends only on the order, so every replica evicts the same client. An
 * evicted client's next request is refused as "unknown or expired session" unless it starts
 * over at sequence 1, and its buffered requests are discarded.
 */
final class Sessions {
  private static final Comparator<Session> LEAST_RECENTLY_USED =
      Comparator.<Session>comparingLong(s -> s.lastUsed).thenComparing(s -> s.client);

  private final int capacity;
  private final Map<ClientId, Session> byClient = new HashMap<>();
  private final TreeSet<Session> byUse = new TreeSet<>(LEAST_RECENTLY_USED);

  Sessions(int capacity) {
    this.capacity = capacity;
  }

  Session get(ClientId client) {
    return byClient.get(client);
  }

  int size() {
    return byClient.size();
  }

  /**
   * Opens a session, evicting least recently used ones while the table is full.
   *
   * @return the clients evicted, in eviction order
   */
  List<ClientId> open(Session session) {
    if (byClient.containsKey(session.client)) {
      throw new IllegalStateException("session for " + session.client + " already open");
    }
    List<ClientId> evicted = new ArrayList<>(1);
    while (byClient.size() >= capacity) {
      Session victim = byUse.pollFirst();
      byClient.remove(victim.client);
      evicted.add(victim.client);
    }
    byClient.put(session.client, session);
    byUse.add(session);
    return evicted;
  }

  /** Drops {@code client}'s session, if any (its client was removed from the configuration). */
  void remove(ClientId client) {
    Session session = byClient.remove(client);
    if (session != null) {
      byUse.remove(session);
    }
  }

  /** Records that the client was active at {@code position}. */
  void touch(Session session, long position) {
    byUse.remove(session);
    session.lastUsed = Math.max(session.lastUsed, position);
    byUse.add(session);
  }

  /** Every session sorted by client id (the deterministic order of snapshots). */
  List<Session> sorted() {
    List<Session> all = new ArrayList<>(byClient.values());
    all.sort(Comparator.comparing(s -> s.client));
    return all;
  }

  /** Replaces the whole table (restore). */
  void reset(List<Session> sessions) {
    byClient.clear();
    byUse.clear();
    for (Session s : sessions) {
      byClient.put(s.client, s);
      byUse.add(s);
    }
  }
}
