package io.lockstep.cli;

import io.lockstep.cli.cluster.LocalLayout;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE | --data-dir D} options shared by commands that talk to a running
 * cluster: either a cluster config file, or the data directory of {@code lockstep local} (whose
 * config is {@code D/cluster.properties}).
 */
public final class ClusterOptions {
  /** The data directory {@code lockstep local} uses when none is given. */
  public static final String DEFAULT_DATA_DIR = "lockstep-data";

  @Option(names = "--config", paramLabel = "FILE",
      description = "The cluster config file (see sample-cluster.properties).")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "The data directory of a `lockstep local` cluster (default ./"
          + DEFAULT_DATA_DIR + "); its config is DIR/" + LocalLayout.CONFIG_FILE + ".")
  Path dataDir;

  /** These options with {@code --config file}. */
  public ClusterOptions withConfig(Path file) {
    this.config = file;
    return this;
  }

  /** These options with {@code --data-dir dir}. */
  public ClusterOptions withDataDir(Path dir) {
    this.dataDir = dir;
    return this;
  }

  /** The config file these options name. */
  public Path configFile() {
    if (config != null && dataDir != null) {
      throw new IllegalArgumentException("give either --config or --data-dir, not both");
    }
    if (config != null) {
      return config;
    }
    Path dir = dataDir != null ? dataDir : Path.of(DEFAULT_DATA_DIR);
    return dir.resolve(LocalLayout.CONFIG_FILE);
  }

  /**
   * Loads and validates the cluster config.
   *
   * @throws IllegalArgumentException with a message for the user if it is missing or invalid
   */
  public ClusterConfig load() {
    Path file = configFile();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no cluster config at " + file.toAbsolutePath()
          + (config == null ? " (start a cluster with `lockstep local` first, or pass --config)"
              : ""));
    }
    try {
      return ClusterConfig.load(file);
    } catch (ConfigException | IOException e) {
      throw new IllegalArgumentException("cannot use " + file + ": " + e.getMessage(), e);
    }
  }
}
