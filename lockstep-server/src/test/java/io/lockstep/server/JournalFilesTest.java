package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.JournalLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer appends reaches the file byte for byte, whatever its characters and size. */
class JournalFilesTest {
  @TempDir Path dir;

  @Test
  void asciiNonAsciiAndBatchesLargerThanTheBufferAreWrittenExactly() throws Exception {
    StringBuilder big = new StringBuilder();
    for (int i = 0; big.length() < 200_000; i++) {
      big.append(i).append("\tSEND\tAppendEntries\n");
    }
    String accented = "1\t0\tREPLY\t-1\tclient-é\t4\t9\t-1\t-1\tOK café ü 😀\n";
    try (JournalFiles files = new JournalFiles(dir, 1 << 20, 2)) {
      files.append("plain\n");
      files.append(new StringBuilder(accented));
      files.append(big);
      files.append("after\n");
    }
    String expected = JournalLines.HEADER + "\n" + "plain\n" + accented + big + "after\n";
    Path only = JournalFiles.files(dir).get(0);
    assertThat(Files.readString(only, StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(Files.size(only)).isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
  }
}
