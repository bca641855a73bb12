package io.lockstep.timeline;

import io.lockstep.journal.Stamped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rows of a timeline: one per replica (by id), then one per client: first the clients that
 * journaled their own view (the simulator's, a real client with a journal), then any that only
 * the replicas saw, labelled {@value #REPLICAS_VIEW}. A simulated client that
 * gave up an operation continues under a new id ({@code c3.1} after {@code c3}); both stay in one
 * lane, named by the part before the dot, because they are one client of the workload.
 */
final class Lanes {
  /** The lane of an event on no replica and no client (a partition): drawn across every lane. */
  static final int GLOBAL = -1;

  private final Map<Integer, Integer> replicas = new TreeMap<>();
  private final Map<String, Integer> clients = new TreeMap<>();
  private final List<String> names = new ArrayList<>();
  /** How a lane of a client without a journal of its own is labelled. */
  static final String REPLICAS_VIEW = "(replicas' view)";
  private int replicasView;

  Lanes(List<Stamped> events) {
    TreeSet<Integer> replicaIds = new TreeSet<>();
    TreeSet<String> clientNames = new TreeSet<>(Lanes::naturalOrder);
    for (Stamped e : events) {
      if (e.replica() >= 0) {
        replicaIds.add(e.replica());
      } else if (!e.event().client().isEmpty()) {
        clientNames.add(clientLane(e.event().client()));
      }
    }
    for (int id : replicaIds) {
      replicas.put(id, names.size());
      names.add("replica " + id);
    }
    for (String client : clientNames) {
      clients.put(client, names.size());
      names.add("client " + client);
    }
  }

  /** The lane an event is drawn in. */
  int of(Stamped e) {
    if (e.replica() >= 0) {
      return replicas.get(e.replica());
    }
    return e.event().client().isEmpty() ? GLOBAL : client(e.event().client());
  }

  /** The lane of replica {@code id}, or {@link #GLOBAL} if it has none. */
  int replica(int id) {
    return replicas.getOrDefault(id, GLOBAL);
  }

  /**
   * The lane of client {@code id}; added, and named as the replicas' view, if the client kept
   * no journal of its own (a real cluster's clients that do not journal).
   */
  int client(String id) {
    String lane = clientLane(id);
    Integer index = clients.get(lane);
    if (index == null) {
      index = names.size();
      clients.put(lane, index);
      names.add("client " + lane + " " + REPLICAS_VIEW);
      replicasView++;
    }
    return index;
  }

  /** Client lanes drawn from the clients' own journals. */
  int ownClientLanes() {
    return clients.size() - replicasView;
  }

  /** Client lanes drawn from what the replicas saw (no client journal). */
  int replicasViewLanes() {
    return replicasView;
  }

  List<String> names() {
    return names;
  }

  private static String clientLane(String id) {
    int dot = id.indexOf('.');
    return dot > 0 ? id.substring(0, dot) : id;
  }

  /** "c2" before "c10": numbers inside names compare as numbers. */
  private static int naturalOrder(String a, String b) {
    String da = a.replaceAll("\\D", "");
    String db = b.replaceAll("\\D", "");
    String pa = a.replaceAll("\\d", "");
    String pb = b.replaceAll("\\d", "");
    if (pa.equals(pb) && !da.isEmpty() && !db.isEmpty() && da.length() < 10 && db.length() < 10) {
      int c = Integer.compare(Integer.parseInt(da), Integer.parseInt(db));
      if (c != 0) {
        return c;
      }
    }
    return a.compareTo(b);
  }
}
