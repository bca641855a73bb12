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
 * The binary journal format reads back what it wrote, across blocks; a string repeated in a
 * block is written once; a torn tail, a damaged block, an unknown record and a reference to a
 * string the block does not have are skipped and said, never fatal; version 2 files and the old
 * text files still read; a newer format or a file that is not a journal is refused with a clear
 * message.
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
    assertThatThrownBy(() -> read("#lockstep-journal 4 columnar\n...".getBytes(
        StandardCharsets.US_ASCII))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"#lockstep-journal 4 columnar\" is newer than this reader");
    assertThatThrownBy(() -> read("hello".getBytes(StandardCharsets.US_ASCII)))
        .hasMessage("not a journal file: it does not start with \"#lockstep-journal \"");
  }

  /** A benchmark session's client id: 88 characters, as the load generator's are. */
  private static String clientId(int session) {
    return "lockstep-bench-0f2c6a1e-5b7d-4c1a-9e3f-1d2b3c4d5e6f/" + "0".repeat(32)
        + String.format("%04d", session);
  }

  @Test
  void aClientIdRepeatedInABlockIsWrittenOnceAndReferredToAfter() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    List<Stamped> written = new ArrayList<>();
    long t = 1_796_426_461_183_044_571L;
    for (int i = 0; i < 30_000; i++) {
      // A write's events on a leader: proposal, apply, reply; a new String per request, as a
      // request decoded from the wire has.
      String client = new String(clientId(i % 32).toCharArray());
      Event.Kind kind = i % 3 == 0 ? Event.Kind.PROPOSE : i % 3 == 1 ? Event.Kind.APPLY
          : Event.Kind.REPLY;
      Stamped e = new Stamped(t += 3_000, 1, Event.request(kind, client, i / 3, i / 3 + 1,
          kind == Event.Kind.PROPOSE ? "" : "OK "));
      assertThat(client).hasSize(88);
      encoder.add(e.nanos(), e.replica(), e.event());
      written.add(e);
    }
    byte[] bytes = file(encoder);
    read(bytes);
    assertThat(skipped).isEmpty();
    assertThat(events).isEqualTo(written);
    // Version 2 wrote 88 bytes of client id in each: over 100 bytes an event.
    assertThat(bytes.length / 30_000.0).as("bytes per event").isLessThan(16);
  }

  @Test
  void moreDistinctStringsThanABlocksTableHoldReadBack() throws Exception {
    JournalEncoder encoder = new JournalEncoder();
    List<Stamped> written = new ArrayList<>();
    for (int i = 0; i < 3 * JournalFormat.MAX_BLOCK_STRINGS; i++) {
      // Each string twice: the second a reference while the table has room, written out after.
      for (int twice = 0; twice < 2; twice++) {
        Stamped e = new Stamped(i, 2, Event.request(Event.Kind.APPLY, "c" + i, i, i, "d" + i));
        encoder.add(e.nanos(), e.replica(), e.event());
        written.add(e);
      }
    }
    read(file(encoder));
    assertThat(skipped).isEmpty();
    assertThat(events).isEqualTo(written);
  }

  /** A block of hand-made records, sealed as the encoder seals one. */
  private static byte[] block(byte[]... records) {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    for (byte[] r : records) {
      payload.write(r.length);
      payload.writeBytes(r);
    }
    byte[] p = payload.toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(p);
    byte[] b = new byte[JournalFormat.BLOCK_HEADER_BYTES + p.length];
    JournalEncoder.writeInt(b, 0, p.length);
    JournalEncoder.writeInt(b, 4, (int) crc.getValue());
    System.arraycopy(p, 0, b, JournalFormat.BLOCK_HEADER_BYTES, p.length);
    return b;
  }

  /** A record: kind, time 5, replica 1, five numbers -1 (zigzag 1), then the string fields. */
  private static byte[] record(int kind, int... strings) {
    ByteArrayOutputStream r = new ByteArrayOutputStream();
    r.writeBytes(new byte[] {(byte) kind, 10, 2, 1, 1, 1, 1, 1});
    for (int b : strings) {
      r.write(b);
    }
    return r.toByteArray();
  }

  @Test
  void aVersion2FileStillReads() throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes("#lockstep-journal 2 binary\n".getBytes(StandardCharsets.US_ASCII));
    // Version 2 strings: the byte count, then the bytes ("ab" and "ok" here).
    file.writeBytes(block(record(Event.Kind.APPLY.ordinal(), 2, 'a', 'b', 2, 'o', 'k')));
    read(file.toByteArray());
    assertThat(skipped).isEmpty();
    assertThat(events).containsExactly(new Stamped(5, 1, new Event(Event.Kind.APPLY, -1, "ab",
        -1, -1, -1, -1, "ok")));
  }

  @Test
  void aReferenceToAStringTheBlockDoesNotHaveIsSkippedAndSaid() throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(JournalFormat.HEADER);
    int apply = Event.Kind.APPLY.ordinal();
    // "ab" written out (4 = twice its length) becomes string 0; 1 refers to it, 3 to string 1.
    file.writeBytes(block(record(apply, 4, 'a', 'b', 1), record(apply, 1, 3),
        record(apply, 1, 0)));
    read(file.toByteArray());
    int second = JournalFormat.HEADER.length + JournalFormat.BLOCK_HEADER_BYTES + 13;
    assertThat(skipped).containsExactly("record at byte " + second + ": a reference to string 1"
        + " of a block that has 1 (skipped)");
    assertThat(events).extracting(e -> e.event().client() + "/" + e.event().detail())
        .containsExactly("ab/ab", "ab/");
  }

  @Test
  void aRecordOfAnUnknownKindStillAddsItsStringsToTheTable() throws Exception {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.writeBytes(JournalFormat.HEADER);
    // A later version's kind 96 writes "xy" out; the next record refers to it.
    file.writeBytes(block(record(96, 4, 'x', 'y', 0), record(Event.Kind.APPLY.ordinal(), 1,
        0)));
    read(file.toByteArray());
    assertThat(skipped).singleElement().asString().endsWith("unknown event kind 96 (skipped)");
    assertThat(events).extracting(e -> e.event().client()).containsExactly("xy");
  }
}
