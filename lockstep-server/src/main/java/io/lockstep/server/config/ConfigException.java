package io.lockstep.server.config;

import java.util.List;

/**
 * A cluster configuration that cannot be used, with every problem found (not just the first), so
 * an operator fixes the file in one go.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** @param source the file (or other origin) the configuration came from */
  public ConfigException(String source, List<String> problems) {
    super("invalid cluster configuration " + source + " (" + problems.size() + " problem"
        + (problems.size() == 1 ? "" : "s") + "):\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one line each. */
  public List<String> problems() {
    return problems;
  }
}
