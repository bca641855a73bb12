package io.lockstep.order.stamped;

import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
   * replicas under fail-stop; Byzantine needs signed agreement and 2t+1, not built here).
   */
  public void requireFailStop(ProtocolSetup setup) {
    if (setup.failureModel() != FailureModel.FAIL_STOP) {
      problems.add(protocol + " tolerates fail-stop faults only (a failed replica stops and is"
          + " detected); for Byzantine faults use a Byzantine protocol");
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
}
