package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.replica.QueryResult;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The stale-read replica answers with the value a key had before the last change it saw. */
class StaleReaderTest {
  private final StaleReader reader = new StaleReader();
  private final SplittableRandom random = new SplittableRandom(1);
  private long nextId;

  @Test
  void answersTruthfullyUntilItHasSeenAKeyChange() {
    assertThat(read("k1", "a")).isEqualTo("a");
    assertThat(read("k1", "a")).isEqualTo("a");
  }

  @Test
  void afterAChangeAnswersTheValueItMovedPastForThatKeyOnly() {
    read("k1", "a");
    assertThat(read("k1", "b")).isEqualTo("a");
    assertThat(read("k1", "b")).isEqualTo("a");
    assertThat(read("k2", "x")).isEqualTo("x");
    assertThat(read("k1", "c")).isEqualTo("b");
  }

  @Test
  void leavesRefusalsAndUnknownReadsAlone() {
    read("k1", "a");
    read("k1", "b");
    QueryResult refused = new QueryResult(99, false, new byte[0], "busy");
    assertThat(reader.read(refused, random)).isSameAs(refused);
    QueryResult unknown = new QueryResult(100, true, bytes("b"), "");
    assertThat(reader.read(unknown, random)).isSameAs(unknown);
  }

  private String read(String key, String current) {
    long id = ++nextId;
    reader.readArrived(id, bytes(key));
    QueryResult answer = reader.read(new QueryResult(id, true, bytes(current), ""), random);
    assertThat(answer.readId()).isEqualTo(id);
    return new String(answer.value(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
