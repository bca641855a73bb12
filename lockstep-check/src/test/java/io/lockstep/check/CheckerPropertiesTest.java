package io.lockstep.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.check.LinearizabilityChecker.Result;
import io.lockstep.check.LinearizabilityChecker.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

class CheckerPropertiesTest {
  private static final String NEVER_WRITTEN = "never-written";

  /** One step of a sequential run: what to do, on which key, by which process. */
  record Action(int kind, int key, int expectedPick, int process) {}

  @Provide
  Arbitrary<List<Action>> runs() {
    return Combinators.combine(Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 4))
        .as(Action::new).list().ofMinSize(1).ofMaxSize(60);
  }

  /** Executes the actions one at a time against the model, recording what clients see. */
  static History sequential(List<Action> actions) {
    Map<String, String> register = new HashMap<>();
    History h = new History();
    long t = 0;
    int n = 0;
    for (Action a : actions) {
      String key = "k" + a.key();
      String current = register.get(key);
      String fresh = "v" + n++;
      Op in = switch (a.kind()) {
        case 0 -> Op.read(a.process(), key, t);
        case 1 -> Op.write(a.process(), key, fresh, t);
        case 2 -> Op.cas(a.process(), key, pickExpected(a.expectedPick(), current, n), fresh, t);
        default -> Op.delete(a.process(), key, t);
      };
      h.add(in);
      t += 1 + a.expectedPick();
      Op done = switch (in.f()) {
        case "read" -> in.completeRead(current, t);
        case "cas" -> Objects.equals(current, in.expected())
            ? in.completeOk(t) : in.completeFail(t);
        default -> in.completeOk(t);
      };
      if (done.type() == Op.Type.OK && !in.f().equals("read")) {
        register.put(key, in.f().equals("delete") ? null : in.value());
      }
      h.add(done);
      t += a.process();
    }
    return h;
  }

  private static String pickExpected(int pick, String current, int n) {
    return switch (pick) {
      case 0, 1 -> current;
      case 2 -> null;
      default -> "v" + (n / 2);
    };
  }

  @Property(tries = 300)
  void sequentialHistoriesOfTheModelAreLinearizable(@ForAll("runs") List<Action> actions) {
    Result r = LinearizabilityChecker.check(sequential(actions));
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Property(tries = 300)
  void readOfANeverWrittenValueMakesASequentialHistoryNonLinearizable(
      @ForAll("runs") List<Action> actions, @ForAll int which) {
    History good = sequential(actions);
    History bad = Generated.withReadValue(good, which, NEVER_WRITTEN);
    Statistics.label("has a read").collect(bad != null);
    if (bad == null) {
      return;
    }
    Result r = LinearizabilityChecker.check(bad);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(r.key()).isEqualTo(Generated.readKey(good, which));
    assertThat(r.explanation()).contains("read -> \"" + NEVER_WRITTEN + "\"");
  }

  @Property(tries = 200)
  void concurrentHistoriesFromRealExecutionsAreLinearizable(@ForAll long seed) {
    History h = Generated.linearizable(new SplittableRandom(seed), 4, 25, 2, 0.15);
    Result r = LinearizabilityChecker.check(h);
    assertThat(r.verdict()).as(r.explanation()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Property(tries = 200)
  void readOfANeverWrittenValueInAConcurrentHistoryIsCaught(
      @ForAll long seed, @ForAll int which) {
    History good = Generated.linearizable(new SplittableRandom(seed), 4, 25, 2, 0.0);
    History bad = Generated.withReadValue(good, which, NEVER_WRITTEN);
    Result r = LinearizabilityChecker.check(bad);
    assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(r.key()).isEqualTo(Generated.readKey(good, which));
  }

  @Property(tries = 1500)
  @StatisticsReport(onFailureOnly = true)
  void checkerAgreesWithBruteForceOnSmallConcurrentHistories(@ForAll("small") History h) {
    boolean expected = BruteForce.linearizable(h);
    Result r = LinearizabilityChecker.check(h);
    Statistics.label("linearizable").collect(expected)
        .coverage(c -> {
          c.check(true).percentage(p -> p > 15);
          c.check(false).percentage(p -> p > 15);
        });
    assertThat(r.linearizable()).as("%s%n%s", r.explanation(), h.ops()).isEqualTo(expected);
  }

  @Provide
  Arbitrary<History> small() {
    return Arbitraries.longs()
        .map(seed -> BruteForce.randomSmallHistory(new SplittableRandom(seed)));
  }
}
