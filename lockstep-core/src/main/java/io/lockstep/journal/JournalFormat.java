package io.lockstep.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The journal's binary file format (version 3), and a reader of it, of version 2 and of the
 * older text format ({@link JournalLines}, version 1).
 *
 * <p>A file starts with the text line {@value #HEADER_TEXT} followed by a newline (so
 * {@code head -1} says what it is), then blocks. A block is its payload length and the payload's
 * CRC-32C (4 bytes each, big-endian), then records. A record is its length (an unsigned varint)
 * and: the kind (one byte, {@link Event.Kind} ordinal, or {@link #LOST}), the time as a zigzag
 * varint difference from the block's previous record (the first from 0), replica, peer,
 * sequence, position, term and message id as zigzag varints, then client and detail as strings.
 * A {@link #LOST} record holds only the number of events the writer lost there. Every other
 * record has these fields first, whatever its kind, so a reader can keep a block's strings in
 * step across a kind it does not know.
 *
 * <p>A string is an unsigned varint {@code v}: if {@code v} is even, {@code v / 2} UTF-8 bytes
 * follow, and unless empty the string joins the block's table (at most
 * {@value #MAX_BLOCK_STRINGS} strings); if odd, it is the table's string number {@code v / 2}.
 * Version 3 adds the table because one string dominated version 2's bytes: the client id, up to
 * 128 characters, repeated in every proposal, apply and reply of a request (69 of 88 bytes per
 * event in a 32-client benchmark, docs/BENCHMARKS.md). Version 2 wrote every string as its byte
 * count and bytes; this reader still reads it.
 *
 * <p>Binary rather than text because the writer formatted text for every event on a busy
 * replica, the largest part of the journal's cost (docs/BENCHMARKS.md). A record's length lets a
 * later version append fields that this reader skips. A checksum per block (not per record)
 * costs the writer one CRC per 64 KiB; a damaged block is skipped whole and reported. A crash cuts
 * the last block short: the reader reports how many bytes of a torn tail it skipped and keeps
 * everything before.
 */
public final class JournalFormat {
  /** The first line of a binary journal file. */
  public static final String HEADER_TEXT = "#lockstep-journal 3 binary";
  /** The first line of a version 2 file, whose strings are all written out. */
  static final String HEADER_TEXT_2 = "#lockstep-journal 2 binary";
  /** The most strings a block's table holds; later new strings are written out each time. */
  public static final int MAX_BLOCK_STRINGS = 4096;
  /** The header line's bytes, newline included. */
  public static final byte[] HEADER = (HEADER_TEXT + "\n").getBytes(StandardCharsets.US_ASCII);
  /** Bytes in a block before it is sealed (it may exceed this by one record). */
  public static final int BLOCK_BYTES = 64 << 10;
  /** A block's length and checksum. */
  public static final int BLOCK_HEADER_BYTES = 8;
  /** The kind byte of the writer's note of lost events. */
  public static final byte LOST = (byte) 0x7F;
  /** The most a record's fixed part takes: length, kind and seven 10-byte varints. */
  static final int MAX_FIXED_RECORD_BYTES = 1 + 1 + 7 * 10;
  /** A block longer than this is not one the encoder wrote: the length itself is damaged. */
  private static final int MAX_BLOCK_BYTES = 64 << 20;
  private static final String TEXT_PREFIX = "#lockstep-journal ";

  private JournalFormat() {}

  /** What a file held besides its events. */
  public interface Problems {
    /** A stretch of the file that could not be read, and why; the reader went on after it. */
    void skipped(String what);

    /** The writer's note that {@code count} events were lost there (a full ring). */
    void lost(long count);
  }

  /**
   * Reads one journal file of either format: events to {@code events}, everything skipped and
   * every loss to {@code problems}. Never fails on damaged content; only on I/O errors.
   *
   * @throws IllegalArgumentException if the file is not a journal or is of a newer version
   */
  public static void read(InputStream in, Consumer<Stamped> events, Problems problems)
      throws IOException {
    String header = headerLine(in);
    if (header.equals(HEADER_TEXT) || header.equals(HEADER_TEXT_2)) {
      new BlockReader(in, events, problems, header.equals(HEADER_TEXT)).readAll();
    } else if (header.equals(JournalLines.HEADER)) {
      readText(in, events, problems);
    } else if (header.startsWith(TEXT_PREFIX)) {
      throw new IllegalArgumentException("journal format \"" + header + "\" is newer than this"
          + " reader (it reads \"" + HEADER_TEXT + "\", \"" + HEADER_TEXT_2 + "\" and \""
          + JournalLines.HEADER + "\")");
    } else {
      throw new IllegalArgumentException("not a journal file: it does not start with \""
          + TEXT_PREFIX + "\"");
    }
  }

  private static String headerLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(32);
    int b;
    while ((b = in.read()) >= 0 && b != '\n' && line.size() < 64) {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** The version 1 text format, after its header line. */
  private static void readText(InputStream in, Consumer<Stamped> events, Problems problems)
      throws IOException {
    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    // Line numbers count the header line the caller already read.
    JournalLines.read(new StringReader("#\n" + text), events, bad -> problems.skipped(bad));
    for (String line : text.split("\n")) {
      if (line.startsWith("# lost ")) {
        String count = line.substring(7, Math.max(7, line.indexOf(' ', 7)));
        try {
          problems.lost(Long.parseLong(count));
        } catch (NumberFormatException e) {
          problems.skipped("unreadable loss note \"" + line + "\"");
        }
      }
    }
  }

  /** Reads blocks until the end, skipping and reporting damaged ones. */
  private static final class BlockReader {
    private final InputStream in;
    private final Consumer<Stamped> events;
    private final Problems problems;
    /** Whether strings may refer to the block's table (version 3). */
    private final boolean stringTable;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[BLOCK_HEADER_BYTES];
    private byte[] block = new byte[BLOCK_BYTES * 2];
    private long offset = HEADER.length;

    BlockReader(InputStream in, Consumer<Stamped> events, Problems problems,
        boolean stringTable) {
      this.in = in;
      this.events = events;
      this.problems = problems;
      this.stringTable = stringTable;
    }

    void readAll() throws IOException {
      while (true) {
        int got = in.readNBytes(header, 0, BLOCK_HEADER_BYTES);
        if (got == 0) {
          return;
        }
        if (got < BLOCK_HEADER_BYTES) {
          problems.skipped("torn tail at byte " + offset + ": " + got + " bytes of a block"
              + " header (skipped)");
          return;
        }
        int length = JournalEncoder.readInt(header, 0);
        if (length < 0 || length > MAX_BLOCK_BYTES) {
          long rest = in.transferTo(java.io.OutputStream.nullOutputStream());
          problems.skipped("damaged block length " + length + " at byte " + offset + ": the rest"
              + " of the file (" + (BLOCK_HEADER_BYTES + rest) + " bytes) skipped");
          return;
        }
        if (!readBlock(length)) {
          return;
        }
      }
    }

    /** Reads one block's payload; false at a torn tail. */
    private boolean readBlock(int length) throws IOException {
      if (block.length < length) {
        block = new byte[length];
      }
      int got = in.readNBytes(block, 0, length);
      if (got < length) {
        problems.skipped("torn tail at byte " + offset + ": a block of " + length + " bytes has"
            + " only " + got + " (" + (BLOCK_HEADER_BYTES + got) + " bytes skipped)");
        return false;
      }
      crc.reset();
      crc.update(block, 0, length);
      if ((int) crc.getValue() != JournalEncoder.readInt(header, 4)) {
        problems.skipped("block at byte " + offset + " fails its checksum ("
            + (BLOCK_HEADER_BYTES + length) + " bytes skipped)");
      } else {
        new RecordDecoder(block, length, offset + BLOCK_HEADER_BYTES, events, problems,
            stringTable).decode();
      }
      offset += BLOCK_HEADER_BYTES + length;
      return true;
    }
  }
}
