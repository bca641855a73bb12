package io.lockstep.order.stamped;

import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.TimingAssumptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads a scheme's settings (keys without the protocol prefix) and collects every problem as a
 * sentence, so {@code check} can report them all at once. Shared by the stamped-order protocols.
 */
public final class Settings {
  private final String protocol;
  private final Map<String, String> given;
  private final Map<String, String> defaults;
  private final List<String> problems = new ArrayList<>();

  /**
   * @param protocol the protocol's name, for messages
   * @param given the settings from the cluster file
   * @param defaults every known key with its default
   */
  public Settings(String protocol, Map<String, String> given, Map<String, String> defaults) {
    this.protocol = protocol;
    this.given = given;
    this.defaults = defaults;
    for (String key : given.keySet()) {
      if (!defaults.containsKey(key)) {
        problems.add(protocol + "." + key + " is not a setting of " + protocol + "; known: "
            + String.join(", ", Set.copyOf(defaults.keySet())));
      }
    }
  }

  /** A positive whole number of milliseconds (or count), or its default. */
  public long positive(String key) {
    String text = given.getOrDefault(key, defaults.get(key));
    try {
      long value = Long.parseLong(text.trim());
      if (value < 1) {
        problems.add(protocol + "." + key + " must be at least 1, was " + value);
        return 1;
      }
      return value;
    } catch (NumberFormatException e) {
      problems.add(protocol + "." + key + " must be a whole number, was '" + text + "'");
      return 1;
    }
  }

  /** A non-negative whole number, or its default. */
  public long nonNegative(String key) {
    String text = given.getOrDefault(key, defaults.get(key));
    try {
      long value = Long.parseLong(text.trim());
      if (value < 0) {
        problems.add(protocol + "." + key + " must not be negative, was " + value);
        return 0;
      }
      return value;
    } catch (NumberFormatException e) {
      problems.add(protocol + "." + key + " must be a whole number, was '" + text + "'");
      return 0;
    }
  }

  /** Whether the cluster file sets {@code key} (rather than leaving its default). */
  public boolean given(String key) {
    return given.containsKey(key);
  }

  /** The text of {@code key}, or its default. */
  public String text(String key) {
    return given.getOrDefault(key, defaults.get(key)).trim();
  }

  /** Records a problem. */
  public void problem(String sentence) {
    problems.add(sentence);
  }

  /** Every problem found so far. */
  public List<String> problems() {
    return List.copyOf(problems);
  }

  /**
   * The replica counts and failure model every fail-stop stamped scheme needs (paper §2: t+1
   * replicas under fail-stop).
   */
  public void requireFailStop(ProtocolSetup setup) {
    requireFailStop(setup, "a failed replica stops and is detected");
  }

  /**
   * As {@link #requireFailStop(ProtocolSetup)}, with the scheme's own reason why Byzantine
   * faults are refused.
   */
  public void requireFailStop(ProtocolSetup setup, String whyNotByzantine) {
    if (setup.failureModel() != FailureModel.FAIL_STOP) {
      problems.add(protocol + " tolerates fail-stop faults only (" + whyNotByzantine + "); for"
          + " Byzantine faults use replica-uid, real-time or a Byzantine protocol");
    }
    int n = setup.members().size();
    if (n < setup.t() + 1) {
      problems.add(protocol + " needs t+1 = " + (setup.t() + 1) + " replicas to survive t = "
          + setup.t() + " fail-stop failures, the cluster has " + n);
    }
    if (n > StampedConfig.MAX_MEMBERS) {
      problems.add(protocol + " supports at most " + StampedConfig.MAX_MEMBERS + " replicas, the"
          + " cluster has " + n);
    }
  }

  /**
   * What a Byzantine scheme built on signed agreement in synchronous rounds needs (paper §2,
   * §3.1): 2t+1 replicas (a majority of correct ones, and t+1 reports that always include a
   * correct replica), a signing key per replica (Dolev–Strong chains are signed), and rounds
   * long enough that a chain sent as a round begins arrives before it ends everywhere: longer
   * than the maximum delay plus twice the clock skew (the sender's clock may be ahead of the
   * receiver's by the skew at either end).
   *
   * @param roundKey the setting of the round length
   * @param skewKey the setting of the clock skew bound
   * @param signs whether this replica can sign (the cluster file names keys)
   */
  public void requireByzantine(ProtocolSetup setup, String roundKey, String skewKey,
      boolean signs) {
    int n = setup.members().size();
    if (n < 2 * setup.t() + 1) {
      problems.add(protocol + " needs 2t+1 = " + (2 * setup.t() + 1) + " replicas to survive t = "
          + setup.t() + " Byzantine replicas, the cluster has " + n);
    }
    if (n > StampedConfig.MAX_MEMBERS) {
      problems.add(protocol + " supports at most " + StampedConfig.MAX_MEMBERS + " replicas, the"
          + " cluster has " + n);
    }
    if (!signs) {
      problems.add(protocol + " under Byzantine faults signs what it disseminates, but replica "
          + setup.self() + " has no signing key: the cluster file names no keys (run"
          + " `lockstep keys` and add them)");
    }
    long round = positive(roundKey);
    long delay = positive("max-delay-ms");
    long skew = nonNegative(skewKey);
    if (round <= delay + 2 * skew) {
      problems.add(protocol + "." + roundKey + " (" + round + ") must exceed max-delay-ms + 2 × "
          + skewKey + " (" + (delay + 2 * skew) + "): signed agreement runs in synchronous"
          + " rounds, and a message sent as a round begins must arrive before it ends at every"
          + " replica whose clock differs by up to the skew");
    }
  }

  /**
   * The settings every stamped scheme shares (failure detection by silence, retransmission and
   * the bound on pending requests), with their defaults, in the order they are documented.
   */
  public static Map<String, String> sharedDefaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("null-interval-ms", "20");
    d.put("max-delay-ms", "100");
    d.put("failure-timeout-ms", "300");
    d.put("start-timeout-ms", "3000");
    d.put("resend-ms", "50");
    d.put("max-pending", "10000");
    d.put("cluster-started", "false");
    return d;
  }

  /**
   * Checks the shared settings and reports a failure timeout too short for the failure-detection
   * assumption (paper §3.2.1): a live replica sends at least every null interval and its
   * messages take at most the maximum delay, so declaring it failed sooner would be wrong.
   */
  public void checkShared() {
    long nullInterval = positive("null-interval-ms");
    long maxDelay = positive("max-delay-ms");
    long timeout = positive("failure-timeout-ms");
    long start = positive("start-timeout-ms");
    positive("resend-ms");
    positive("max-pending");
    clusterStarted();
    if (timeout <= nullInterval + maxDelay) {
      problems.add(protocol + ".failure-timeout-ms (" + timeout + ") must exceed null-interval-ms"
          + " + max-delay-ms (" + (nullInterval + maxDelay) + "): failures are detected by"
          + " silence, which is sound only if a live replica is never silent that long");
    }
    if (start < timeout) {
      problems.add(protocol + ".start-timeout-ms (" + start + ") must be at least"
          + " failure-timeout-ms (" + timeout + "): it is how long a replica nobody has heard"
          + " from yet may take to start");
    }
  }

  /** The order engine's settings for replica {@code setup.self()} (already checked). */
  public StampedConfig config(ProtocolSetup setup) {
    return new StampedConfig(setup.self(), setup.members(), positive("null-interval-ms"),
        positive("failure-timeout-ms"), positive("resend-ms"),
        (int) Math.min(Integer.MAX_VALUE, positive("max-pending")), positive("start-timeout-ms"),
        clusterStarted());
  }

  /**
   * {@code cluster-started}: true once the cluster has run, so that a replica with an empty data
   * directory (a wiped disk, a replacement machine) rejoins instead of starting an order of its
   * own that its peers would not accept. False (the default) for a new cluster, whose replicas
   * all start empty and must not wait for a donor none of them has.
   */
  public boolean clusterStarted() {
    String text = text("cluster-started");
    if (!text.equals("true") && !text.equals("false")) {
      problems.add(protocol + ".cluster-started must be true or false, was '" + text + "'");
      return false;
    }
    return text.equals("true");
  }

  /** Whether {@code recovered} holds nothing: storage of a replica that never ran here. */
  public static boolean empty(Recovered recovered) {
    return recovered.hardState() == null && recovered.snapshot() == null
        && recovered.entries().isEmpty();
  }

  /**
   * The timing these settings assume, for the runtime's watch: every message arrives within
   * {@code max-delay-ms}, and, if {@code skewKey} is given, clocks differ by at most its value.
   */
  public TimingAssumptions timing(String skewKey) {
    return new TimingAssumptions(positive("max-delay-ms"), skewKey == null ? OptionalLong.empty()
        : OptionalLong.of(nonNegative(skewKey)));
  }

  /**
   * Refuses to build a replica whose storage shows it ran before. Its state lived in memory
   * only and integration of a restarted replica (paper §7.2: obtain the state from a peer and
   * start taking part at a known position) is not built, so starting it would either serve
   * nothing or pretend to a state it no longer has; refusing at start says so at once, and the
   * data directory is left untouched.
   *
   * @throws IllegalArgumentException if {@code recovered} holds anything
   */
  public static void refuseRestart(String protocol, int self, Recovered recovered) {
    if (!empty(recovered)) {
      throw new IllegalArgumentException("replica " + self + " ran before (its storage holds"
          + " state) and " + protocol + " cannot take a restarted replica back: its order lives"
          + " in memory and integration of a restarted replica (paper §7.2) is not built. The"
          + " surviving replicas go on without it (fail-stop); to run this replica again, start"
          + " a new cluster with empty data directories. Nothing was changed on disk.");
    }
  }

  /** Throws if {@code problems} is not empty: a protocol must not be built from a bad setup. */
  public static void refuse(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }
}
