package io.lockstep.server;

import io.lockstep.machine.StateMachine;
import io.lockstep.redis.RedisStore;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.config.Service;
import io.lockstep.server.lock.LockService;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one way to start a replica, for the built-in services and users' own state machines
 * alike: a cluster config, which replica this is, and the state machine → a running
 * {@link ReplicaServer} (its handle: ports, {@link ReplicaServer#status()},
 * {@link ReplicaServer#close()}, {@link ReplicaServer#awaitTermination()}).
 *
 * <pre>{@code
 * ReplicaServer replica = LockstepReplica.builder()
 *     .config(Path.of("cluster.properties"))   // cluster.machine=com.example.Bank
 *     .id(1)
 *     .machine(Bank::new)
 *     .start();
 * }</pre>
 *
 * <p>Which machine runs: the one given to {@link Builder#machine}; else, for services
 * {@code kv} and {@code lock}, the built-in {@link RedisStore} or {@link LockService}; else the
 * config's {@code cluster.machine} class, loaded from {@link Builder#classpath} by
 * {@link MachineLoader}. Whatever runs must be the class the config names for the cluster
 * (the built-in one for {@code kv} and {@code lock}): replicas of one cluster applying
 * different machines would diverge silently, so a mismatch is refused before the replica
 * touches its storage. The replica's data directory also remembers the class that wrote it
 * ({@code <data-dir>/<id>/machine}), so a config changed under an existing cluster is refused
 * too.
 */
public final class LockstepReplica {
  private LockstepReplica() {}

  /** A builder with nothing set yet. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The class a cluster's replicas must run: the built-in machine of {@code kv} or {@code lock},
   * or the config's {@code cluster.machine}.
   */
  public static String machineClassOf(ClusterConfig config) {
    return switch (config.service()) {
      case KV -> RedisStore.class.getName();
      case LOCK -> LockService.class.getName();
      case MACHINE -> config.machine();
    };
  }

  /** Collects what a replica needs; {@link #start()} starts it. Not thread-safe. */
  public static final class Builder {
    private ClusterConfig config;
    private Path configFile;
    private Integer id;
    private Supplier<? extends StateMachine> machine;
    private String machineClass;
    private List<Path> classpath = List.of();
    private boolean processFiles;

    private Builder() {}

    /** The cluster's configuration. */
    public Builder config(ClusterConfig clusterConfig) {
      this.config = Objects.requireNonNull(clusterConfig, "clusterConfig");
      this.configFile = null;
      return this;
    }

    /** The cluster's config file, read and validated by {@link #start()}. */
    public Builder config(Path file) {
      this.configFile = Objects.requireNonNull(file, "file");
      this.config = null;
      return this;
    }

    /** Which replica of the config this one is. */
    public Builder id(int replicaId) {
      this.id = replicaId;
      return this;
    }

    /** The state machine instance to run (this replica's own; never share one). */
    public Builder machine(StateMachine instance) {
      Objects.requireNonNull(instance, "instance");
      this.machine = () -> instance;
      return this;
    }

    /** Makes the state machine to run (called once, by {@link #start()}). */
    public Builder machine(Supplier<? extends StateMachine> factory) {
      this.machine = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * The class this replica was asked to run (e.g. {@code --machine}): refused unless it is
     * the class the config names. Loaded from {@link #classpath} when no instance is given.
     */
    public Builder machineClass(String className) {
      this.machineClass = Objects.requireNonNull(className, "className");
      return this;
    }

    /** Jars or class directories holding the machine class and what it needs. */
    public Builder classpath(List<Path> entries) {
      this.classpath = List.copyOf(entries);
      return this;
    }

    /**
     * Also act as a replica process: log (key=value) to {@code <data-dir>/<id>/replica.log}
     * and write this JVM's PID to {@code <data-dir>/<id>/pid}, as {@code lockstep replica}
     * does.
     */
    public Builder processFiles(boolean on) {
      this.processFiles = on;
      return this;
    }

    /**
     * Resolves the machine, recovers the replica's storage and starts it.
     *
     * @throws ConfigException if the config file is invalid
     * @throws MachineLoader.MachineLoadException if the machine class cannot be used
     * @throws IllegalArgumentException if the id is not a replica of the config, or the machine
     *     is not the one the config names or not the one that wrote this replica's data
     * @throws IllegalStateException if the config or the id was not given
     * @throws IOException if storage is corrupt or unreadable, or a port cannot be bound
     */
    public ReplicaServer start() throws IOException, ConfigException {
      ClusterConfig cluster = config != null ? config : loadConfig();
      if (id == null) {
        throw new IllegalStateException("id(n) is required: which replica of " + cluster.name()
            + " this is (one of " + cluster.members() + ")");
      }
      if (cluster.replica(id).isEmpty()) {
        throw new IllegalArgumentException("replica " + id + " is not in the cluster"
            + " configuration; replicas are " + cluster.members());
      }
      StateMachine chosen = resolveMachine(cluster);
      MachineMarker.claim(cluster.dataDirOf(id), id, chosen.getClass().getName());
      if (processFiles) {
        ReplicaMain.prepareProcess(cluster, id);
      }
      return ReplicaServer.start(cluster, id, chosen);
    }

    private ClusterConfig loadConfig() throws IOException, ConfigException {
      if (configFile == null) {
        throw new IllegalStateException("config(...) is required: a ClusterConfig or its file");
      }
      return ClusterConfig.load(configFile);
    }

    private StateMachine resolveMachine(ClusterConfig cluster) {
      String expected = machineClassOf(cluster);
      if (machineClass != null && !machineClass.equals(expected)) {
        throw new IllegalArgumentException(mismatch(cluster, machineClass));
      }
      StateMachine chosen;
      if (machine != null) {
        chosen = Objects.requireNonNull(machine.get(), "the machine factory returned null");
      } else if (cluster.service() == Service.KV) {
        chosen = new RedisStore(cluster.redisMaxMemory());
      } else if (cluster.service() == Service.LOCK) {
        chosen = new LockService();
      } else {
        chosen = MachineLoader.load(expected, classpath).factory().get();
      }
      if (!chosen.getClass().getName().equals(expected)) {
        throw new IllegalArgumentException(mismatch(cluster, chosen.getClass().getName()));
      }
      return chosen;
    }

    private String mismatch(ClusterConfig cluster, String given) {
      String configured = cluster.service() == Service.MACHINE
          ? "cluster.machine=" + cluster.machine()
          : "cluster.service=" + cluster.service().name().toLowerCase(java.util.Locale.ROOT)
              + " (" + machineClassOf(cluster) + ")";
      return "replica " + id + " was given machine " + given + ", but cluster " + cluster.name()
          + " runs " + configured + "; every replica must run the same state machine";
    }
  }
}
