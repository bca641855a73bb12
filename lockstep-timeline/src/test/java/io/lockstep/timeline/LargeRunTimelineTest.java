package io.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.Event;
import io.lockstep.journal.Stamped;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A 60-second, 32-client real run stays a page a browser opens and scrolls: with the default
 * limits, the page's data is bounded (requests, arrows and marks sampled, whole paths kept), it
 * does not grow with the length of the journal past the limits, and the page says it sampled.
 * (What the page draws per frame is bounded in the page itself: {@code TimelineChromiumTest}.)
 */
class LargeRunTimelineTest {
  private static final long SECOND = 1_000_000_000L;
  private static final Event[] SENDS = {
      Event.message(Event.Kind.SEND, 2, Event.NONE, "AppendEntries"),
      Event.message(Event.Kind.SEND, 3, Event.NONE, "AppendEntries")};
  private static final Event RECEIVE = Event.message(Event.Kind.RECEIVE, 1, Event.NONE,
      "AppendEntries");

  /**
   * {@code requests} writes of 32 clients spread over 60 s, as a real cluster's replicas (1
   * leads) and journaling clients record them: 15 events each.
   */
  private static List<Stamped> run(int requests) {
    List<Stamped> events = new ArrayList<>(requests * 15);
    long step = 60 * SECOND / requests;
    for (int n = 0; n < requests; n++) {
      long t = 1_796_426_461_000_000_000L + n * step;
      String client = "bench-" + (n % 32);
      long sequence = n / 32 + 1;
      events.add(new Stamped(t, -1, Event.request(Event.Kind.INVOKE, client, sequence,
          Event.NONE, "submit 120 bytes")));
      events.add(new Stamped(t + 10, -1, new Event(Event.Kind.SEND, 1, client, sequence,
          Event.NONE, Event.NONE, Event.NONE, "Submit")));
      events.add(new Stamped(t + 20, 1, Event.request(Event.Kind.PROPOSE, client, sequence,
          Event.NONE, "")));
      for (int to = 2; to <= 3; to++) {
        events.add(new Stamped(t + 30, 1, SENDS[to - 2]));
        events.add(new Stamped(t + 40, to, RECEIVE));
      }
      for (int r = 1; r <= 3; r++) {
        events.add(new Stamped(t + 50, r, Event.position(Event.Kind.STABLE, n + 1)));
        events.add(new Stamped(t + 60, r, Event.request(Event.Kind.APPLY, client, sequence,
            n + 1, "OK ")));
      }
      events.add(new Stamped(t + 70, 1, Event.request(Event.Kind.REPLY, client, sequence, n + 1,
          "OK ")));
      events.add(new Stamped(t + 80, -1, new Event(Event.Kind.RECEIVE, 1, client, sequence,
          n + 1, Event.NONE, Event.NONE, "Reply OK")));
      events.add(new Stamped(t + 90, -1, Event.request(Event.Kind.OUTCOME, client, sequence,
          Event.NONE, "ok")));
    }
    return events;
  }

  private static String data(List<Stamped> events) {
    events.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    return TimelineData.build(events, null, List.of(), Timeline.MAX_REQUESTS,
        Timeline.MAX_ARROWS, Timeline.MAX_MARKS);
  }

  /** Elements of the top-level array {@code name} in the page's data. */
  private static int count(String data, String name) {
    int at = data.indexOf("\"" + name + "\":[") + name.length() + 4;
    int depth = 0;
    int elements = 0;
    boolean inString = false;
    for (int i = at; i < data.length(); i++) {
      char c = data.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '[') {
        if (depth++ == 0) {
          elements++;
        }
      } else if (c == ']') {
        if (depth-- == 0) {
          return elements;
        }
      }
    }
    throw new AssertionError("array " + name + " is not closed");
  }

  @Test
  void aSixtySecondThirtyTwoClientRunIsSampledToABoundedPageThatSaysSo() {
    String oneMinute = data(run(90_000));
    assertThat(oneMinute).contains("Sampled: one request in 3 is shown, with its whole path");
    assertThat(count(oneMinute, "bars")).isBetween(20_000, Timeline.MAX_REQUESTS);
    assertThat(count(oneMinute, "arrows")).isLessThanOrEqualTo(Timeline.MAX_ARROWS);
    assertThat(count(oneMinute, "marks")).isLessThanOrEqualTo(Timeline.MAX_MARKS + 8 * 40_000);
    int lanes = oneMinute.indexOf("\"lanes\":[");
    assertThat(oneMinute.substring(lanes, oneMinute.indexOf(']', lanes)).split("\",\""))
        .hasSize(3 + 32).anyMatch(l -> l.startsWith("client bench-31"))
        .noneMatch(l -> l.contains("view"));
    assertThat(oneMinute.length()).as("bytes of data").isLessThan(24 << 20);

    String twiceAsBusy = data(run(180_000));
    assertThat(twiceAsBusy).contains("Sampled: one request in 5 is shown");
    assertThat((double) twiceAsBusy.length()).as("the page does not grow with the journal")
        .isLessThan(1.3 * oneMinute.length());
  }
}
