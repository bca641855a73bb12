package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.journal.JournalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the writer appends reaches the file byte for byte after the format's header; files roll
 * between blocks, at their size, and only the newest are kept, old text files included.
 */
class JournalFilesTest {
  @TempDir Path dir;

  @Test
  void blocksAreWrittenExactlyAfterTheHeader() throws Exception {
    byte[] block = new byte[200_000];
    Arrays.fill(block, (byte) 7);
    try (JournalFiles files = new JournalFiles(dir, 1 << 20, 2)) {
      files.append(new byte[] {1, 2, 3}, 1, 2);
      files.append(block, 0, block.length);
    }
    byte[] expected = new byte[JournalFormat.HEADER.length + 2 + block.length];
    System.arraycopy(JournalFormat.HEADER, 0, expected, 0, JournalFormat.HEADER.length);
    expected[JournalFormat.HEADER.length] = 2;
    expected[JournalFormat.HEADER.length + 1] = 3;
    System.arraycopy(block, 0, expected, JournalFormat.HEADER.length + 2, block.length);
    Path only = JournalFiles.files(dir).get(0);
    assertThat(only.getFileName().toString()).isEqualTo("journal-000001.journal");
    assertThat(Files.readAllBytes(only)).isEqualTo(expected);
  }

  @Test
  void filesRollAtTheirSizeAndOnlyTheNewestAreKeptOldTextFilesIncluded() throws Exception {
    Files.writeString(dir.resolve("journal-000004.tsv"), "#lockstep-journal 1\n");
    byte[] block = new byte[50];
    try (JournalFiles files = new JournalFiles(dir, 100, 3)) {
      for (int i = 0; i < 40; i++) {
        block[0] = (byte) i;
        files.append(block, 0, block.length);
      }
    }
    var kept = JournalFiles.files(dir);
    assertThat(kept).hasSize(3);
    assertThat(kept.get(0).getFileName().toString()).endsWith(".journal");
    for (Path file : kept) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(100 + 50);
    }
    assertThat(Files.readAllBytes(kept.get(2))[Files.readAllBytes(kept.get(2)).length - 50])
        .isEqualTo((byte) 39);
    try (JournalFiles again = new JournalFiles(dir, 100, 3)) {
      again.append(block, 0, 1);
    }
    var afterRestart = JournalFiles.files(dir);
    assertThat(afterRestart.get(2).getFileName().toString())
        .as("a restart starts a new file after the old ones").isEqualTo(String.format(
            "journal-%06d.journal", Integer.parseInt(kept.get(2).getFileName().toString()
                .substring(8, 14)) + 1));
  }
}
