package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Aardvark's throughput check ({@link ThroughputWatch}): a primary that holds each pre-prepare
 * just inside the per-request age bound (twice the propose delay) dodges the old checks, and
 * only the throughput backups expect of it replaces it; a load that merely drops is no fault.
 */
class ThroughputWatchTest {
  /** Under the 300 ms at which a backup suspects the primary by a request's age. */
  private static final long HOLD_MS = 250;
  private static final long STEADY_HOLD_MS = 240;
  private static final long TICK_MS = 10;
  /** A loaded machine's delays: each pre-prepare 10 to 150 ms late, in this repeating order. */
  private static final long LOADED = -1;
  private static final long[] LOADED_PATTERN =
      {10, 150, 30, 140, 20, 20, 130, 60, 150, 10, 90, 40, 150, 120, 20, 70};

  @Test
  void aPrimaryThatTurnsSlowJustInsideTheAgeBoundIsReplacedByItsThroughput() {
    Scenario fast = new Scenario(ThroughputPolicy.aardvark());
    fast.run(3_000, 0);
    assertThat(fast.net.nodes[1].view()).as("a fast primary keeps its view").isZero();
    int before = fast.executed();
    fast.run(3_000, HOLD_MS);
    for (int i = 1; i < 4; i++) {
      assertThat(fast.net.nodes[i].view()).as("replica %d", i).isPositive();
    }
    assertThat(fast.net.nodes[1].viewChanges.lastReason).contains("requests/s");
    assertThat(fast.executed() - before).as("the next primary orders at full speed again")
        .isGreaterThan(100);
  }

  @Test
  void withoutTheCheckTheSlowPrimaryKeepsItsViewAndThroughputCollapses() {
    Scenario old = new Scenario(ThroughputPolicy.off());
    old.run(3_000, 0);
    int fastOps = old.executed();
    old.run(3_000, HOLD_MS);
    for (int i = 0; i < 4; i++) {
      assertThat(old.net.nodes[i].view()).as("replica %d", i).isZero();
    }
    assertThat(old.executed() - fastOps).as("every request commits, slowly")
        .isPositive().isLessThan(fastOps / 10);
  }

  @Test
  void aPrimarySlowFromTheFirstViewIsFoundByTheRisingExpectation() {
    // Held 240 ms, a request completes every 250 ms: exactly two per period, a rate with no
    // jitter to fall below its own peak by, so only the rise finds it out.
    Scenario slow = new Scenario(ThroughputPolicy.aardvark());
    slow.run(12_000, STEADY_HOLD_MS);
    assertThat(slow.net.nodes[1].view()).isPositive();
    assertThat(slow.net.nodes[1].viewChanges.lastReason).contains("below the");
    Scenario old = new Scenario(ThroughputPolicy.off());
    old.run(12_000, STEADY_HOLD_MS);
    assertThat(old.net.nodes[1].view()).isZero();
    assertThat(slow.executed()).isGreaterThan(5 * old.executed());
  }

  @Test
  void aLoadThatDropsIsNotThePrimarysFault() {
    Scenario drop = new Scenario(ThroughputPolicy.aardvark());
    drop.run(3_000, 0);
    // One request every 200 ms instead of one per tick: the rate falls far below the
    // expectation, but no request waits for the primary, so no period is judged.
    drop.thinkMs = 200;
    drop.run(6_000, 0);
    for (int i = 0; i < 4; i++) {
      assertThat(drop.net.nodes[i].view()).as("replica %d", i).isZero();
    }
  }

  @Test
  void aLoadedPrimaryThatKeepsUpWithEarlierViewsKeepsItsView() {
    // Every primary's pre-prepares leave 10 to 150 ms late, the same way each view: the
    // machine is loaded, every replica alike, and the rate jitters from period to period.
    Scenario loaded = new Scenario(ThroughputPolicy.aardvark());
    loaded.everyPrimary = true;
    loaded.runUntilView(1, LOADED);
    assertThat(loaded.net.nodes[1].view()).as("the first view's probe: no history yet")
        .isEqualTo(1);
    int before = loaded.executed();
    loaded.run(30_000, LOADED);
    for (int i = 0; i < 4; i++) {
      assertThat(loaded.net.nodes[i].view()).as("replica %d: %s", i,
          loaded.net.nodes[i].viewChanges.lastReason).isEqualTo(1);
    }
    // About one request per 100 ms (the pattern's mean hold is 76 ms, then the rounds): the
    // loaded primary keeps ordering at its rate.
    assertThat(loaded.executed() - before).isGreaterThan(250);
    // The check was at work all along: most periods were judged against a known expectation
    // (a rise that went on in view 1 replaced its primary within the 30 s).
    Pbft backup = loaded.net.nodes[2];
    assertThat(backup.watch.judgedPeriods).isGreaterThan(20);
    assertThat(backup.watch.expected).isPositive();
  }

  @Test
  void onePauseOfALoadedPrimaryIsNoSustainedShortfall() {
    Scenario loaded = new Scenario(ThroughputPolicy.aardvark());
    loaded.everyPrimary = true;
    loaded.runUntilView(1, LOADED);
    assertThat(loaded.net.nodes[1].view()).isEqualTo(1);
    // Half a second in which each pre-prepare leaves 250 ms late (a pause: a collector, a
    // slow disk), then the load as before: a period or two far below the expectation.
    loaded.run(500, HOLD_MS);
    int before = loaded.executed();
    loaded.run(10_000, LOADED);
    for (int i = 0; i < 4; i++) {
      assertThat(loaded.net.nodes[i].view()).as("replica %d: %s", i,
          loaded.net.nodes[i].viewChanges.lastReason).isEqualTo(1);
    }
    assertThat(loaded.executed() - before).isGreaterThan(80); // about 10 per second, as above
  }

  @Test
  void aPrimaryFarBelowEarlierViewsRatesIsStillReplaced() {
    Scenario loaded = new Scenario(ThroughputPolicy.aardvark());
    loaded.everyPrimary = true;
    loaded.runUntilView(1, LOADED);
    assertThat(loaded.net.nodes[1].view()).isEqualTo(1);
    // View 1's primary (replica 1) turns slow just inside the age bound: a third of the rate.
    loaded.everyPrimary = false;
    loaded.slow = 1;
    loaded.run(4_000, HOLD_MS);
    for (int i = 0; i < 4; i++) {
      assertThat(loaded.net.nodes[i].view()).as("replica %d", i).isGreaterThan(1);
    }
    assertThat(loaded.net.nodes[2].viewChanges.lastReason).contains("periods in a row");
  }

  /**
   * One closed-loop client on the scripted cluster; the primary (replica 0) holds each of its
   * pre-prepares {@code hold} ms before it leaves.
   */
  private static final class Scenario {
    private static final UnaryOperator<PbftConfig> TUNE = c -> c.withRequestTimeout(2_000);
    final Net net;
    final List<Net.Msg> held = new ArrayList<>();
    final List<Long> heldUntil = new ArrayList<>();
    long hold;
    long thinkMs;
    /** Whose pre-prepares are held: replica {@code slow}'s, or every primary's. */
    int slow;
    boolean everyPrimary;
    private int nextLoaded;
    private Request outstanding;
    private long nextSend;

    Scenario(ThroughputPolicy policy) {
      net = new Net(TUNE, policy);
      net.filter = m -> {
        if (hold != 0 && (everyPrimary || m.from() == slow)
            && m.message() instanceof PbftMessage.PrePrepare) {
          held.add(m);
          heldUntil.add(net.now + holdFor());
          return null;
        }
        return m;
      };
    }

    private long holdFor() {
      if (hold != LOADED) {
        return hold;
      }
      // One delay per pre-prepare, the same to each backup (a primary that is late is late for
      // everyone): the three copies leave within a tick of each other.
      long delay = LOADED_PATTERN[(nextLoaded / 3) % LOADED_PATTERN.length];
      nextLoaded++;
      return delay;
    }

    /**
     * Runs until replica 1 is in view {@code view} (the first view's probe: with no history
     * the expectation rises until the loaded primary falls short of it), at most 60 s.
     */
    long runUntilView(long view, long holdMs) {
      long start = net.now;
      while (net.nodes[1].view() < view && net.now - start < 60_000) {
        run(1_000, holdMs);
      }
      return net.now - start;
    }

    void run(long millis, long holdMs) {
      hold = holdMs;
      for (long t = 0; t < millis; t += TICK_MS) {
        net.tick(TICK_MS);
        release();
        if (outstanding != null && net.requests(1).contains(outstanding)) {
          outstanding = null;
          nextSend = net.now + thinkMs;
        }
        if (outstanding == null && net.now >= nextSend) {
          outstanding = net.request();
          net.send(outstanding);
        }
        net.run();
      }
    }

    private void release() {
      for (int i = 0; i < held.size(); i++) {
        if (heldUntil.get(i) <= net.now) {
          Net.Msg m = held.remove(i);
          heldUntil.remove(i--);
          net.nodes[m.to()].step(new io.lockstep.order.Input.Receive(m.from(), m.message()));
        }
      }
    }

    int executed() {
      return net.requests(1).size();
    }
  }
}
