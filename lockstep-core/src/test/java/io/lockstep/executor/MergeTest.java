package io.lockstep.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.InputMerger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Paper §5.1 merging of divergent copies. */
class MergeTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String merge(InputMerger merger, String... copies) {
    List<byte[]> list = new ArrayList<>();
    for (String c : copies) {
      list.add(utf8(c));
    }
    return new String(merger.merge(list), StandardCharsets.UTF_8);
  }

  @Test
  void medianOrdersDecimalCopiesNumerically() {
    assertThat(merge(Merge.median(), "100", "9", "20")).isEqualTo("20");
    assertThat(merge(Merge.median(), "-5", "3", "-40")).isEqualTo("-5");
  }

  @Test
  void medianOrdersOtherCopiesByUnsignedBytes() {
    assertThat(merge(Merge.median(), "b", "9x", "a")).isEqualTo("a");
  }

  @Test
  void medianOfAnEvenNumberIsTheLowerMedian() {
    assertThat(merge(Merge.median(), "4", "1", "3", "2")).isEqualTo("2");
  }

  @Property
  void medianLiesBetweenCorrectValuesWhenAtMostTAreFaulty(
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = -1000, max = 1000) Integer> faulty,
      @ForAll @Size(min = 9, max = 9) List<@IntRange(min = 0, max = 100) Integer> pool) {
    int t = faulty.size();
    List<Integer> correct = pool.subList(0, t + 1);
    List<String> copies = new ArrayList<>();
    faulty.forEach(v -> copies.add(Integer.toString(v * 1_000)));
    correct.forEach(v -> copies.add(Integer.toString(v)));
    long median = Long.parseLong(merge(Merge.median(), copies.toArray(String[]::new)));
    assertThat(median).isBetween((long) correct.stream().mapToInt(i -> i).min().orElseThrow(),
        (long) correct.stream().mapToInt(i -> i).max().orElseThrow());
  }

  @Test
  void intervalIntersectionReturnsWhereMostIntervalsAgree() {
    // Marzullo's example: [8,12], [11,13], [10,12] agree on [11,12].
    assertThat(merge(Merge.intervalIntersection(), "8,12", "11,13", "10,12")).isEqualTo("11,12");
    // An outlier does not move the answer.
    assertThat(merge(Merge.intervalIntersection(), "8,12", "11,13", "100,200")).isEqualTo("11,12");
  }

  @Test
  void intervalIntersectionIgnoresMalformedCopies() {
    assertThat(merge(Merge.intervalIntersection(), "junk", "5,7", "9,3", "6,8")).isEqualTo("6,7");
  }

  @Test
  void touchingClosedIntervalsAgreeOnTheirCommonPoint() {
    assertThat(merge(Merge.intervalIntersection(), "1,2", "2,3")).isEqualTo("2,2");
  }
}
