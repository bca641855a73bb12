package io.lockstep.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the replicas of a {@code lockstep local --failure-model byzantine} cluster say on
 * {@code /health} (metrics port base+300+id): the view's primary ({@code leader}), the replica
 * set in force ({@code voters}), how far each executed ({@code applied}), the combining
 * condition's margin; and waits on them, each failing with the last answer seen.
 */
final class PbftHealth {
  private static final Pattern LEADER = Pattern.compile("\"leader\":(-?\\d+)");
  private static final Pattern APPLIED = Pattern.compile("\"applied\":(-?\\d+)");
  private static final Pattern VOTERS = Pattern.compile("\"voters\":\\[([0-9, ]*)\\]");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private PbftHealth() {}

  /** Replica {@code id}'s /health JSON, or "unreachable: …" when it does not answer. */
  static String health(int base, int id) throws InterruptedException {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 300 + id)
          + "/health")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "unreachable: " + e.getMessage();
    }
  }

  /** How far replica {@code id} executed, per its /health. */
  static long applied(int base, int id) throws InterruptedException {
    return number(APPLIED, health(base, id));
  }

  /**
   * The primary that two of {@code replicas} in a view agree on, waiting up to {@code seconds}.
   * On a loaded machine one replica's request timer may expire alone: it then waits in a view
   * change (primary -1) until t+1 others move on too, which they need not do while they make
   * progress; so the primary is never taken from one fixed replica.
   */
  static int awaitPrimary(int base, Collection<Integer> replicas, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      Map<Integer, Integer> votes = new TreeMap<>();
      seen.clear();
      for (int id : replicas) {
        String health = health(base, id);
        seen.add(health);
        Matcher m = LEADER.matcher(health);
        int primary = m.find() ? Integer.parseInt(m.group(1)) : -1;
        if (primary >= 1 && votes.merge(primary, 1, Integer::sum) >= 2) {
          return primary;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no primary two of " + replicas + " agree on: " + seen);
  }

  /** The replica set in force at replica {@code id}, as "1, 2, 3, 4", or "" if not shown. */
  static String voters(String health) {
    Matcher m = VOTERS.matcher(health);
    return m.find() ? m.group(1).replace(" ", "") : "";
  }

  /** Waits until replica {@code id}'s /health names {@code voters}: it read the change. */
  static void awaitVotersOn(int base, int id, String voters, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String health = "";
    while (System.nanoTime() < deadline) {
      health = health(base, id);
      if (voters(health).equals(voters.replace(" ", ""))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("replica " + id + " never counted voters [" + voters + "]: "
        + health);
  }

  /** Waits until replica {@code id}'s /health shows the combining condition's margin. */
  static void awaitMargin(int base, int id, int margin, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String health = "";
    while (System.nanoTime() < deadline) {
      health = health(base, id);
      if (health.contains("\"margin\":" + margin + ",")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("replica " + id + "'s margin never became " + margin + ": "
        + health);
  }

  private static long number(Pattern field, String json) {
    Matcher m = field.matcher(json);
    assertThat(m.find()).as("%s in %s", field, json).isTrue();
    return Long.parseLong(m.group(1));
  }
}
