package io.lockstep.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  private static final Duration D = Duration.ofSeconds(1);

  @Test
  void mixFractionsMustAddUpToOne() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, D, D, 0.5, 0.3, 0.1, 10, 10))
        .withMessageContaining("add up to 1");
  }

  @Test
  void everyFractionMustLieInTheUnitInterval() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, D, D, 1.5, -0.5, 0.0, 10, 10))
        .withMessageContaining("writeFraction must be in [0, 1]");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, D, D, Double.NaN, 1.0, 0.0, 10, 10))
        .withMessageContaining("writeFraction");
  }

  @Test
  void clientsDurationWarmupValueSizeAndKeysAreChecked() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(0, D, D, 1, 0, 0, 10, 10)).withMessageContaining("clients");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, Duration.ZERO, D, 1, 0, 0, 10, 10))
        .withMessageContaining("duration");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, D, D.negated(), 1, 0, 0, 10, 10))
        .withMessageContaining("warmup");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, D, D, 1, 0, 0, -1, 10)).withMessageContaining("valueSize");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Workload(1, D, D, 1, 0, 0, 10, 0)).withMessageContaining("keys");
  }

  @Test
  void argsParseEveryOptionInBothSpellingsAndPassTheRestThrough() {
    List<String> rest = new ArrayList<>();
    Workload w = WorkloadArgs.parse(List.of("--clients", "32", "--duration=20s", "--warmup", "500ms",
        "--write", "0.5", "--read=0.25", "--cas", "0.25", "--value-size", "100", "--keys", "7",
        "--peers", "3", "--unsafe"), rest);

    assertThat(w).isEqualTo(new Workload(32, Duration.ofSeconds(20), Duration.ofMillis(500), 0.5,
        0.25, 0.25, 100, 7));
    assertThat(rest).containsExactly("--peers", "3", "--unsafe");
  }

  @Test
  void argsWithoutAMixMeanAllWritesAndGivenSharesLeaveTheOthersAtZero() {
    assertThat(WorkloadArgs.parse(List.of(), new ArrayList<>()).writeFraction()).isEqualTo(1.0);
    Workload reads = WorkloadArgs.parse(List.of("--read", "1"), new ArrayList<>());
    assertThat(reads.writeFraction()).isZero();
    assertThat(reads.readFraction()).isEqualTo(1.0);
  }

  @Test
  void argsRejectMalformedValuesNamingTheOption() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkloadArgs.parse(List.of("--duration", "soon"), new ArrayList<>()))
        .withMessageContaining("not a duration: 'soon'");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkloadArgs.parse(List.of("--clients", "many"), new ArrayList<>()))
        .withMessageContaining("--clients needs a whole number");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> WorkloadArgs.parse(List.of("--keys"), new ArrayList<>()))
        .withMessageContaining("--keys needs a value");
  }

  @Test
  void durationsAcceptMillisecondsSecondsMinutesAndBareSeconds() {
    assertThat(WorkloadArgs.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(WorkloadArgs.parseDuration("20s")).isEqualTo(Duration.ofSeconds(20));
    assertThat(WorkloadArgs.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(WorkloadArgs.parseDuration("15")).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void describeNamesTheMix() {
    assertThat(Workload.writes(32, Duration.ofSeconds(20), 100).describe())
        .contains("32 closed-loop clients", "20 s measured", "write 100%", "100-byte values");
  }
}
