package io.lockstep.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The journal's line format reads back what it wrote, and reports bad lines without stopping. */
class JournalLinesTest {
  @Property
  void everyEventReadsBackAsWritten(@ForAll long nanos, @ForAll @IntRange(min = -1) int replica,
      @ForAll Event.Kind kind, @ForAll int peer, @ForAll String client, @ForAll long sequence,
      @ForAll long position, @ForAll long term, @ForAll long message, @ForAll String detail) {
    Stamped e = new Stamped(nanos, replica,
        new Event(kind, peer, client, sequence, position, term, message, detail));
    String line = JournalLines.line(e);
    assertThat(line).doesNotContain("\n", "\r");
    assertThat(JournalLines.parse(line)).isEqualTo(e);
  }

  @Test
  void malformedLinesAreReportedWithTheirNumberAndSkipped() throws Exception {
    Stamped good = new Stamped(5, 1, Event.message(Event.Kind.SEND, 2, 7, "AppendEntries"));
    String text = JournalLines.HEADER + "\n"
        + JournalLines.line(good) + "\n"
        + "12\t0\tSEND\n"
        + "# lost 3 events\n"
        + JournalLines.line(good).replace("SEND", "TELEPORT") + "\n"
        + JournalLines.line(good).replace("AppendEntries", "bad\\q") + "\n"
        + "x" + JournalLines.line(good) + "\n"
        + JournalLines.line(good);
    List<Stamped> events = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    JournalLines.read(new StringReader(text), events::add, bad::add);
    assertThat(events).containsExactly(good, good);
    assertThat(bad).containsExactly(
        "line 3: expected 10 tab-separated fields, found 3",
        "line 5: unknown event kind \"TELEPORT\"",
        "line 6: unknown escape \\q",
        "line 7: nanos is not a number: \"x5\"");
  }

  @Test
  void aTextFieldCannotEndInALoneBackslash() {
    String line = JournalLines.line(new Stamped(1, 0, Event.of(Event.Kind.CRASH, "x")));
    assertThatThrownBy(() -> JournalLines.parse(line + "\\"))
        .hasMessage("text ends in a lone backslash");
  }
}
