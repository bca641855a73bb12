package io.lockstep.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The cluster file's {@code journal.*} keys: defaults, values that parse and round-trip, and
 * every bad value refused with its key named, all at once.
 */
class JournalSettingsTest {
  private static Properties base() {
    return ClusterConfig.local("j", 3, 7000, Path.of("/tmp/j"), Service.KV,
        "0123456789abcdef0123456789abcdef".getBytes()).toProperties();
  }

  private static ClusterConfig parse(Properties p) throws ConfigException {
    return ClusterConfig.parse(p, "test", Path.of("/"));
  }

  @Test
  void withoutTheKeysTheJournalIsOnWithEightFilesOfEightMebibytes() throws Exception {
    Properties p = base();
    p.remove("journal.enabled");
    p.remove("journal.max-file-bytes");
    p.remove("journal.files");
    assertThat(parse(p).journal()).isEqualTo(new JournalSettings(true, 8L << 20, 8));
  }

  @Test
  void theKeysSetTheSizeOrTurnItOffAndRoundTrip() throws Exception {
    Properties p = base();
    p.setProperty("journal.max-file-bytes", "1048576");
    p.setProperty("journal.files", "3");
    ClusterConfig sized = parse(p);
    assertThat(sized.journal()).isEqualTo(new JournalSettings(true, 1 << 20, 3));
    assertThat(parse(sized.toProperties()).journal()).isEqualTo(sized.journal());
    p.setProperty("journal.enabled", "false");
    assertThat(parse(p).journal().enabled()).isFalse();
    assertThat(sized.withBudgets(ClientBudgets.DEFAULTS).journal())
        .as("other changes keep the journal settings").isEqualTo(sized.journal());
  }

  @Test
  void badValuesAreRefusedTogetherWithTheirKeys() {
    Properties p = base();
    p.setProperty("journal.enabled", "maybe");
    p.setProperty("journal.max-file-bytes", "1000");
    p.setProperty("journal.files", "0");
    assertThatThrownBy(() -> parse(p)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).contains(
            "journal.enabled must be true or false, was 'maybe'",
            "journal.max-file-bytes is 1000; it must be between 65536 and 1073741824",
            "journal.files is 0; it must be between 1 and 10000"));
    assertThatThrownBy(() -> new JournalSettings(true, 1L << 40, 2))
        .hasMessageContaining("journal.max-file-bytes must be between");
  }
}
