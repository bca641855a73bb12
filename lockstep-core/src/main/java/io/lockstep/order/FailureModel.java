package io.lockstep.order;

import java.util.Optional;

/** The failure model a cluster is configured for (paper §2). */
public enum FailureModel {
  /** A faulty component stops, and others can detect it (paper §2). */
  FAIL_STOP("fail-stop"),
  /** A faulty component may do anything, even collude with others (paper §2). */
  BYZANTINE("byzantine");

  private final String configName;

  FailureModel(String configName) {
    this.configName = configName;
  }

  /** How a cluster file ({@code cluster.failure-model}) and the command line name it. */
  public String configName() {
    return configName;
  }

  /** The model a cluster file or the command line names {@code name}, if any. */
  public static Optional<FailureModel> named(String name) {
    for (FailureModel model : values()) {
      if (model.configName.equals(name)) {
        return Optional.of(model);
      }
    }
    return Optional.empty();
  }
}
