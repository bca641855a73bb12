package io.lockstep.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The binary journal format reads back what it wrote, across blocks; a torn tail, a damaged
 * block and an unknown record are skipped and said, never fatal; the old text files still read;
 * a newer format or a file that is not a journal is refused with a clear message.
 */
class JournalFormatTest {
  private final List<Stamped> events = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<Long> lost = new ArrayList<>();
  private final JournalFormat.Problems problems = new JournalFormat.Problems() {
    @Override
    public void skipped(String what) {
      skipped.add(what);
    }

    @Override
    public void lost(long count) {
      lost.add(count);
    }
  };

  private static byte[] file(JournalEncoder encoder) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(JournalFormat.HEADER);
    encoder.flush(out::write);
    return out.toByteArray();
  }

  private void read(byte[] bytes) throws Exception {
    JournalFormat.read(new ByteArrayInputStream(bytes), events::add, problems);
  }

  @Property(tries = 300)
  void everyEventReadsBackAsWritten(@ForAll long nanos, @ForAll @IntRange(min = -1) int replica,
      @ForAll Event.Kind kind, @ForAll int peer, @ForAll String client, @ForAll long sequence,
      @ForAll long position, @ForAll long term, @ForAll long message,
      @ForAll @Size(max = 300) String detail) throws Exception {
    events.clear(); // jqwik reuses the instance across tries
    skipped.clear();
    Stamped e = new Stamped(nanos, replica,
        new Event(kind, peer, client, sequence, position, term, message, detail));
    JournalEncoder encoder = new JournalEncoder();
    encoder.add(e.nanos(), e.replica(), e.event());
    encoder.add(nanos - 5, replica, e.event());
    read(file(encoder));
    assertThat(skipped).isEmpty();
    assertThat(events).containsExactly(e, new Stamped(nanos - 5, replica, e.event()));
  }

  /** Many blocks, times going up by varying steps, a loss noted between them. */
  private static List<Stamped> manyEvents(JournalEncoder encoder, int n) {
    List<Stamped> written = new ArrayList<>();
    long t = 1_796_426_461_183_044_571L;
    for (int i = 0; i < n; i++) {
      t += i % 7 * 1_000;
      Stamped e = new Stamped(t, i % 3, i % 2 == 0
          ? Event.message(Event.Kind.SEND, (i + 1) % 3, Event.NONE, "AppendEntries")
          : Event.request(Event.Kind.APPLY, "bench-" + (i % 32), i, i + 1, "OK café"));
      encoder.add(e.nanos(), e.replica(), e.event());
      written.add(e);
      if (i == n / 2) {
        encoder.lost(42);
      }
    }
    return written;
  }

  @Test
  void manyBlocksReadBackInOrderWithTheLossNoted() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    List<Stamped> written = manyEvents(encoder, 20_000);
    byte[] bytes = file(encoder);
    assertThat(bytes.length).as("several blocks").isGreaterThan(3 * JournalFormat.BLOCK_BYTES);
    read(bytes);
    assertThat(skipped).isEmpty();
    assertThat(lost).containsExactly(42L);
    assertThat(events).isEqualTo(written);
    assertThat(bytes.length / 20_000.0).as("bytes per event").isLessThan(40);
  }

  @Test
  void aTornTailIsSkippedAndSaidWhileEverythingBeforeItReads() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    List<Stamped> written = manyEvents(encoder, 20_000);
    byte[] whole = file(encoder);
    read(Arrays.copyOf(whole, whole.length - 100));
    assertThat(skipped).singleElement().asString().startsWith("torn tail at byte ")
        .contains("bytes skipped");
    assertThat(events).isNotEmpty().isEqualTo(written.subList(0, events.size()));
    assertThat(events.size()).isGreaterThan(written.size() / 2);
  }

  @Test
  void aDamagedBlockIsSkippedWholeAndTheNextOneReads() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    List<Stamped> written = manyEvents(encoder, 20_000);
    byte[] bytes = file(encoder);
    bytes[JournalFormat.HEADER.length + JournalFormat.BLOCK_HEADER_BYTES + 10] ^= 0x55;
    read(bytes);
    assertThat(skipped).singleElement().asString()
        .isEqualTo("block at byte " + JournalFormat.HEADER.length + " fails its checksum ("
            + (JournalFormat.BLOCK_HEADER_BYTES + JournalEncoder.readInt(bytes,
                JournalFormat.HEADER.length)) + " bytes skipped)");
    assertThat(events).isNotEmpty().isEqualTo(written.subList(written.size() - events.size(),
        written.size()));
  }

  @Test
  void anUnknownRecordKindIsSkippedAndTheRestOfTheBlockReads() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    encoder.add(10, 1, Event.of(Event.Kind.CRASH, "a"));
    encoder.add(20, 1, Event.of(Event.Kind.RESTART, "b"));
    byte[] bytes = file(encoder);
    int firstRecord = JournalFormat.HEADER.length + JournalFormat.BLOCK_HEADER_BYTES;
    bytes[firstRecord + 1] = 0x60; // the kind byte of the first record
    // Re-seal the block so only the record, not the checksum, is wrong.
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, firstRecord, bytes.length - firstRecord);
    JournalEncoder.writeInt(bytes, firstRecord - 4, (int) crc.getValue());
    read(bytes);
    assertThat(skipped).containsExactly("record at byte " + firstRecord + ": unknown event kind"
        + " 96 (skipped)");
    assertThat(events).extracting(e -> e.event().detail()).containsExactly("b");
  }

  @Test
  void theOldTextFilesStillRead() throws Exception {
    Stamped e = new Stamped(5, 1, Event.message(Event.Kind.SEND, 2, 7, "AppendEntries"));
    String text = JournalLines.HEADER + "\n" + JournalLines.line(e) + "\n# lost 3 events: the"
        + " journal ring was full\n" + JournalLines.line(e) + "\n17\t1\tSEN";
    read(text.getBytes(StandardCharsets.UTF_8));
    assertThat(events).containsExactly(e, e);
    assertThat(lost).containsExactly(3L);
    assertThat(skipped).containsExactly("line 5: expected 10 tab-separated fields, found 3");
  }

  @Test
  void aNewerFormatOrAFileThatIsNoJournalIsRefusedClearly() {
    assertThatThrownBy(() -> read("#lockstep-journal 3 columnar\n...".getBytes(
        StandardCharsets.US_ASCII))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"#lockstep-journal 3 columnar\" is newer than this reader");
    assertThatThrownBy(() -> read("hello".getBytes(StandardCharsets.US_ASCII)))
        .hasMessage("not a journal file: it does not start with \"#lockstep-journal \"");
  }
}
