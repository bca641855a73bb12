package io.lockstep.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.sim.SimOptions;
import io.lockstep.sim.SimResult;
import io.lockstep.sim.Simulation;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline of a passing simulated run shows what happened: a lane per replica and client,
 * message arrows between replicas, the protocol's marks (election, vote, leader, stable), the
 * executor's applies and the clients' operations as bars; a click on a request follows it along
 * the whole path. Loaded in HtmlUnit, which reports any script error.
 */
class SimTimelineTest {
  private static final SimOptions OPTIONS = SimOptions.defaults().withFaultPhaseMillis(2_000);
  private static final long SEED = 3;

  @TempDir
  static Path dir;
  private static SimTimeline.Run run;
  private static Path file;

  @BeforeAll
  static void render() {
    run = SimTimeline.run(OPTIONS, SEED, Simulation.raft());
    file = dir.resolve("run.html");
    run.timeline().write(file);
  }

  @Test
  void theFileIsSelfContained() throws Exception {
    String html = Files.readString(file);
    assertThat(html).doesNotContain("http://", "https://", "src=", "href=");
    assertThat(html).contains("var DATA = {\"empty\":false");
  }

  @Test
  void journalingDoesNotChangeTheRun() {
    SimResult plain = Simulation.run(OPTIONS, SEED, Simulation.raft());
    assertThat(run.result().ok()).isTrue();
    assertThat(run.result().traceDigest()).isEqualTo(plain.traceDigest());
    assertThat(run.events()).isGreaterThan(1_000);
  }

  @Test
  void lanesArrowsMarksAndBarsAreThereAndThePageLoadsWithoutScriptErrors() throws Exception {
    try (Browser page = new Browser(file)) {
      assertThat(page.errors()).isEmpty();
      assertThat(page.eval("DATA.lanes.join('|')")).isEqualTo("replica 0|replica 1|replica 2|"
          + "client c0|client c1|client c2|client c3|client c4");
      assertThat(page.eval("DATA.types.join(' ')")).contains("AppendEntries",
          "AppendEntriesResponse", "RequestVote");
      assertThat(page.number("DATA.arrows.filter(function (a) { return a[5] === 0; }).length"))
          .isGreaterThan(500);
      String kinds = page.eval("DATA.marks.map(function (m) { return DATA.kinds[m[2]]; })"
          + ".filter(function (k, i, all) { return all.indexOf(k) === i; }).sort().join(' ')");
      assertThat(kinds.split(" ")).contains("APPLY", "ELECTION", "LEADER", "PROPOSE", "REPLY",
          "STABLE", "VOTE");
      assertThat(page.number("DATA.bars.filter(function (b) { return b[3] === 0; }).length"))
          .isEqualTo(run.result().opsOk());
      assertThat(page.number("timeline.state.drawn.arrows")).isGreaterThan(0);
      assertThat(page.number("timeline.state.drawn.bars")).isGreaterThan(0);
      assertThat(page.eval("DATA.violation")).isEqualTo("null");
    }
  }

  @Test
  void clickingARequestShowsItsWholePath() throws Exception {
    try (Browser page = new Browser(file)) {
      String req = "DATA.bars.filter(function (b) { return b[4].indexOf(' ok write ') > 0; })[0][5]";
      page.eval("timeline.select(" + req + ")");
      String path = page.eval("document.getElementById('panel').textContent");
      assertThat(path).contains("client invokes", "propose", "stable (order)", "apply",
          "reply", "client outcome (voter): ok");
      // every replica applies it (3 applies), each after its own commit mark
      assertThat(path.split("apply ", -1)).hasSize(4);
      assertThat(page.errors()).isEmpty();
    }
  }

  @Test
  void zoomAndFilterRedrawWithoutErrors() throws Exception {
    try (Browser page = new Browser(file)) {
      double whole = page.number("timeline.state.t1 - timeline.state.t0");
      page.eval("timeline.zoom(0.01)");
      assertThat(page.number("timeline.state.t1 - timeline.state.t0")).isLessThan(whole / 50);
      page.eval("var f = document.getElementById('filter'); f.value = 'k3';"
          + " timeline.state.filter = 'k3'; timeline.draw();");
      page.eval("timeline.fit()");
      assertThat(page.errors()).isEmpty();
    }
  }
}
