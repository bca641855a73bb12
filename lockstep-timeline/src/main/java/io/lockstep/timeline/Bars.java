package io.lockstep.timeline;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client operations as bars: from a client's invoke to its outcome where clients journal (the
 * simulator); where only replicas do (a real cluster), from the first time a replica saw the
 * request (proposed or redirected) to the first reply, as the replicas saw it.
 */
final class Bars {
  /** Outcomes, as the page colours them. */
  static final List<String> OUTCOMES = List.of("ok", "fail", "info", "pending", "rejected");

  /**
   * A bar.
   *
   * @param request the request's id ({@code client#sequence}; for a read {@code client~tag}, the
   *     tag of the attempt that answered it, or {@code client@time} if its client did not say)
   * @param process the client history's process number, or -1 if unknown
   */
  record Bar(long t0, long t1, int lane, int outcome, String label, String request, int process) {}

  private final Lanes lanes;
  private final Map<String, Stamped> open = new HashMap<>();
  private final List<Bar> bars = new ArrayList<>();
  private final Map<String, Stamped[]> seenByReplicas = new LinkedHashMap<>();
  /** Reads' attempts that a journaling client sent: their bars come from the client's view. */
  private final Set<String> readAttempts = new HashSet<>();

  Bars(Lanes lanes) {
    this.lanes = lanes;
  }

  /** The id that follows one request through every event about it; null if none. */
  static String request(Stamped e) {
    Event v = e.event();
    if (v.client().isEmpty()) {
      return null;
    }
    if (v.sequence() >= 0) {
      return v.client() + "#" + v.sequence();
    }
    // A read has no sequence number; its attempts, and the replica's events about each, carry
    // the attempt's wire tag in the message field (a real client's and server's journals).
    if (v.message() >= 0) {
      return v.client() + "~" + v.message();
    }
    return v.kind() == Event.Kind.INVOKE || v.kind() == Event.Kind.OUTCOME
        ? v.client() + "@read" : null;
  }

  /**
   * Notes a journaling client's attempt of a read, so that what the replicas saw of it is not
   * drawn again as a bar of their own; called for every kept event, before it becomes an arrow.
   */
  void attempted(Stamped e) {
    Event v = e.event();
    if (e.replica() < 0 && v.kind() == Event.Kind.SEND && v.sequence() < 0
        && v.message() >= 0) {
      readAttempts.add(request(e));
    }
  }

  void take(Stamped e) {
    Event v = e.event();
    switch (v.kind()) {
      case INVOKE -> open.put(openKey(e), e);
      case OUTCOME -> close(e);
      case PROPOSE, REDIRECT -> {
        Stamped[] seen = seenByReplicas.computeIfAbsent(request(e), k -> new Stamped[2]);
        if (seen[0] == null) {
          seen[0] = e;
        }
      }
      case REPLY -> {
        Stamped[] seen = seenByReplicas.get(request(e));
        if (seen != null && seen[1] == null) {
          seen[1] = e;
        }
      }
      default -> { }
    }
  }

  /**
   * What an open operation is found by: its request where it has a sequence number (a real
   * client has many in flight per session), else its client (a read; one at a time).
   */
  private static String openKey(Stamped e) {
    return e.event().sequence() >= 0 ? request(e) : e.event().client();
  }

  private void close(Stamped e) {
    Stamped invoke = open.remove(openKey(e));
    if (invoke == null) {
      return; // invoked before the journal starts
    }
    String detail = e.event().detail();
    String[] words = detail.split(" ", 3);
    // A simulated client's detail starts with its process ("p3 ok ..."), a real client's with
    // the outcome ("ok", "fail ...", "info ...").
    String word = process(detail) >= 0 ? (words.length > 1 ? words[1] : "") : words[0];
    int outcome = Math.max(0, OUTCOMES.indexOf(word));
    bars.add(new Bar(invoke.nanos(), e.nanos(), lanes.of(invoke), outcome, detail,
        requestOf(invoke, e), process(detail)));
  }

  /**
   * A read is named by the attempt that answered it, if its outcome says; else by its client
   * and invocation time.
   */
  private static String requestOf(Stamped invoke, Stamped outcome) {
    String request = request(outcome);
    return request.endsWith("@read") ? invoke.event().client() + "@" + invoke.nanos() : request;
  }

  /** The bars; requests seen only by replicas become bars when no client journaled them. */
  List<Bar> finish(long end) {
    for (Stamped invoke : open.values()) {
      bars.add(new Bar(invoke.nanos(), end, lanes.of(invoke), 3, invoke.event().detail(),
          request(invoke), process(invoke.event().detail())));
    }
    Set<String> invoked = new HashSet<>();
    for (Bar bar : bars) {
      invoked.add(bar.request());
    }
    for (Map.Entry<String, Stamped[]> seen : seenByReplicas.entrySet()) {
      if (!invoked.contains(seen.getKey()) && !readAttempts.contains(seen.getKey())
          && seen.getValue()[0] != null) {
        bars.add(replicaView(seen.getKey(), seen.getValue()[0], seen.getValue()[1], end));
      }
    }
    bars.sort((a, b) -> Long.compare(a.t0(), b.t0()));
    return bars;
  }

  private Bar replicaView(String request, Stamped first, Stamped reply, long end) {
    int lane = lanes.client(first.event().client());
    if (reply == null) {
      return new Bar(first.nanos(), end, lane, 3, request + " (seen by replicas)", request, -1);
    }
    int outcome = reply.event().detail().startsWith("OK") ? 0 : 4;
    return new Bar(first.nanos(), reply.nanos(), lane, outcome, request + " "
        + reply.event().detail() + " (seen by replicas)", request, -1);
  }

  /** The history's process number from a simulated client's detail ("p12 write k3 = v7"). */
  private static int process(String detail) {
    if (!detail.startsWith("p")) {
      return -1;
    }
    int space = detail.indexOf(' ');
    try {
      return Integer.parseInt(detail.substring(1, space < 0 ? detail.length() : space));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
