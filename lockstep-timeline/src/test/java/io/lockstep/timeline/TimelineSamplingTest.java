package io.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large journals are sampled by whole requests and say so; real clusters' messages are paired
 * in order per link and type; requests seen only by replicas still become bars.
 */
class TimelineSamplingTest {
  @TempDir Path dir;

  /** A request's whole path as a leader (0) and two followers journal it, with its messages. */
  private static void request(List<Stamped> out, int n, long t) {
    String client = "c" + (n % 4);
    out.add(new Stamped(t, -1, Event.request(Event.Kind.INVOKE, client, n, -1,
        "p" + (n % 4) + " write k" + n + " = v")));
    out.add(new Stamped(t + 1, 0, Event.request(Event.Kind.PROPOSE, client, n, -1, "")));
    for (int to = 1; to <= 2; to++) {
      out.add(new Stamped(t + 2, 0, Event.message(Event.Kind.SEND, to, -1, "AppendEntries")));
      out.add(new Stamped(t + 3, to, Event.message(Event.Kind.RECEIVE, 0, -1, "AppendEntries")));
    }
    for (int r = 0; r <= 2; r++) {
      out.add(new Stamped(t + 4, r, Event.position(Event.Kind.STABLE, n + 1)));
      out.add(new Stamped(t + 5, r, Event.request(Event.Kind.APPLY, client, n, n + 1, "OK ")));
    }
    out.add(new Stamped(t + 6, 0, Event.request(Event.Kind.REPLY, client, n, n + 1, "OK ")));
    out.add(new Stamped(t + 7, -1, Event.request(Event.Kind.OUTCOME, client, n, -1,
        "p" + (n % 4) + " ok write k" + n + " = v")));
  }

  @Test
  void aLargeJournalKeepsWholeRequestsAndSaysItSampled() throws Exception {
    List<Stamped> events = new ArrayList<>();
    for (int n = 0; n < 1_000; n++) {
      request(events, n, n * 10_000L);
    }
    Violation named = new Violation(500 * 10_000L, "committed entry changed: Request[c3#503 x]",
        List.of(), Violation.requestsNamedIn("Request[c3#503 x]"));
    Path file = dir.resolve("big.html");
    Timeline.of(events).limits(100, 50, 100_000).violation(named).write(file);
    try (Browser page = new Browser(file)) {
      assertThat(page.errors()).isEmpty();
      assertThat(page.eval("DATA.notes.join(' ')"))
          .contains("Sampled: one request in 10 is shown", "one in 40 of 2000 messages");
      double bars = page.number("DATA.bars.length");
      assertThat(bars).isBetween(50.0, 200.0);
      assertThat(page.number("DATA.bars.filter(function (b) {"
          + " return b[6] === 2 && DATA.requests[b[5]] === 'c3#503'; }).length")).isEqualTo(1);
      // every kept request kept its whole path: 3 applies and 1 reply per bar
      assertThat(page.number("DATA.marks.filter(function (m) {"
          + " return DATA.kinds[m[2]] === 'APPLY'; }).length")).isEqualTo(3 * bars);
      assertThat(page.number("DATA.marks.filter(function (m) {"
          + " return DATA.kinds[m[2]] === 'REPLY'; }).length")).isEqualTo(bars);
      assertThat(page.number("DATA.arrows.length")).isLessThanOrEqualTo(50);
    }
  }

  @Test
  void aRealClustersMessagesArePairedInOrderPerLinkAndType() throws Exception {
    List<Stamped> events = List.of(
        new Stamped(1_000, 1, Event.message(Event.Kind.SEND, 2, -1, "Heartbeat")),
        new Stamped(2_000, 1, Event.message(Event.Kind.SEND, 2, -1, "AppendEntries")),
        new Stamped(3_000, 1, Event.message(Event.Kind.SEND, 2, -1, "Heartbeat")),
        new Stamped(4_000, 1, Event.message(Event.Kind.SEND, 2, -1, "Heartbeat")),
        new Stamped(5_000, 2, Event.message(Event.Kind.RECEIVE, 1, -1, "AppendEntries")),
        new Stamped(6_000, 2, Event.message(Event.Kind.RECEIVE, 1, -1, "Heartbeat")),
        new Stamped(7_000, 2, Event.message(Event.Kind.DROP, 1, -1, "Heartbeat: loop queue full")),
        new Stamped(8_000, 2, Event.request(Event.Kind.PROPOSE, "bench-1", 4, -1, "")),
        new Stamped(9_000, 2, Event.request(Event.Kind.REPLY, "bench-1", 4, 7, "OK ")));
    Path file = dir.resolve("real.html");
    Timeline.of(events).write(file);
    try (Browser page = new Browser(file)) {
      assertThat(page.errors()).isEmpty();
      // [t0, lane0, t1, lane1, type, flag] in microseconds from the first event
      assertThat(page.eval("JSON.stringify(DATA.arrows.map(function (a) {"
          + " return [a[0], a[2], DATA.types[a[4]], a[5]]; }))")).isEqualTo(
          "[[0,5,\"Heartbeat\",0],[1,4,\"AppendEntries\",0],[2,6,\"Heartbeat\",1],"
              + "[3,3,\"Heartbeat\",2]]");
      assertThat(page.eval("DATA.lanes.join('|')"))
          .isEqualTo("replica 1|replica 2|client bench-1 (replicas' view)");
      assertThat(page.eval("DATA.notes.join(' ')")).contains("Client lanes: 0 from the clients'"
          + " own journals, 1 (replicas' view)");
      assertThat(page.eval("JSON.stringify(DATA.bars[0])"))
          .isEqualTo("[7,8,2,0,\"bench-1#4 OK  (seen by replicas)\",0,0]");
    }
  }

  @Test
  void aMessageNeverSentOrSentToAReplicaThatRestartedDoesNotShiftThePairing() throws Exception {
    List<Stamped> events = List.of(
        new Stamped(1_000_000, 1, Event.message(Event.Kind.SEND, 2, -1, "Heartbeat")),
        new Stamped(1_500_000, 1, Event.message(Event.Kind.UNSENT, 2, -1,
            "Heartbeat: send queue full or peer down")),
        new Stamped(2_000_000, 1, Event.message(Event.Kind.SEND, 2, -1, "Heartbeat")),
        new Stamped(2_500_000, 2, Event.of(Event.Kind.RESTART, "started")),
        new Stamped(3_000_000, 1, Event.message(Event.Kind.SEND, 2, -1, "Heartbeat")),
        new Stamped(3_500_000, 2, Event.message(Event.Kind.RECEIVE, 1, -1, "Heartbeat")));
    Path file = dir.resolve("restart.html");
    Timeline.of(events).write(file);
    try (Browser page = new Browser(file)) {
      assertThat(page.errors()).isEmpty();
      assertThat(page.eval("JSON.stringify(DATA.arrows.map(function (a) {"
          + " return [a[0], a[2], DATA.types[a[4]], a[5]]; }))")).isEqualTo(
          "[[0,500,\"Heartbeat\",1],[1000,1000,\"Heartbeat\",2],[2000,2500,\"Heartbeat\",0]]");
      assertThat(page.eval("DATA.kinds[DATA.marks[0][2]]")).isEqualTo("RESTART");
    }
  }
}
