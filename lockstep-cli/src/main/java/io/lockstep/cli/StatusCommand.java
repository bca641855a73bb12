package io.lockstep.cli;

import io.lockstep.cli.cluster.HealthProbe;
import io.lockstep.cli.cluster.ReplicaHealth;
import io.lockstep.client.AdminClient;
import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.MemberAddresses;
import io.lockstep.server.config.ClusterConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep status}: each replica's role, term, commit and applied positions and lag, from
 * its HTTP {@code /health} endpoint. Lag is how far the replica's applied position trails the
 * leader's commit position (the leader's own lag is its commit minus its applied).
 *
 * <p>The file is only where the cluster started: when a replica answers, the command also
 * reads the replicated configuration and shows the addresses it records (replicas added with
 * {@code lockstep member add ID --peer … --client …}), asking those of the replica set that
 * the file does not name for their health too.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Shows each replica's role, term, positions and lag.",
    description = {
        "Shows each replica's role, term, commit and applied positions and lag",
        "(the leader's commit position minus the replica's applied position),",
        "asking each replica's /health endpoint; an unhealthy replica's reason follows.",
        "Replicas that the replicated configuration records (added with their addresses)",
        "are shown too, with those addresses.",
        "Exit status: 0 a leader is known and every replica answered, 1 otherwise,",
        "2 usage error."})
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Override
  public Integer call() {
    ClusterConfig config;
    try {
      config = cluster.load();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    List<ReplicaHealth> all;
    String recorded = "";
    try (HealthProbe probe = new HealthProbe(config)) {
      all = new ArrayList<>(probe.all());
      if (all.stream().anyMatch(ReplicaHealth::reachable)) {
        ClusterConfiguration replicated = replicated(config);
        if (replicated != null) {
          recorded = recorded(replicated);
          replicated.members().values().stream()
              .filter(m -> replicated.replicas().contains(m.replica())
                  && !config.members().contains(m.replica()) && !m.http().isEmpty())
              .forEach(m -> all.add(probe.probe(m.replica(), m.http())));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(table(config, all));
    out.print(recorded);
    out.flush();
    boolean allUp = all.stream().allMatch(ReplicaHealth::reachable);
    return HealthProbe.leader(all).isPresent() && allUp ? 0 : 1;
  }

  /** The status table for these answers. */
  static String table(ClusterConfig config, List<ReplicaHealth> all) {
    Optional<ReplicaHealth> leader = HealthProbe.leader(all);
    StringBuilder out = new StringBuilder();
    out.append("cluster ").append(config.name()).append(", ").append(all.size())
        .append(" replicas, leader: ")
        .append(leader.map(l -> "replica " + l.id()).orElse("none known")).append('\n');
    leader.filter(l -> l.margin() != null).ifPresent(l -> out.append("configuration: voters ")
        .append(l.voters()).append(", learners ").append(l.learners().isEmpty() ? "[]"
            : l.learners()).append(", spares ").append(spares(config, l))
        .append(", margin ").append(l.margin())
        .append(" (voters that may still fail before fewer than a quorum answer")
        .append(l.margin() <= 0 ? "; THIN" : "").append(")\n"));
    out.append(String.format("%-8s %-11s %6s %10s %10s %8s  %s%n", "replica", "role", "term",
        "commit", "applied", "lag", "health"));
    for (ReplicaHealth h : all) {
      if (!h.reachable()) {
        out.append(String.format("%-8d %-11s %s%n", h.id(), "unreachable", h.problem()));
        continue;
      }
      long lag = leader.map(ReplicaHealth::commitIndex).orElse(h.commitIndex()) - h.applied();
      out.append(String.format("%-8d %-11s %6d %10d %10d %8d  %s%n", h.id(), h.role(), h.term(),
          h.commitIndex(), h.applied(), Math.max(0, lag), health(h)));
    }
    return out.toString();
  }

  /** The replicated configuration, or null (printed why) if it cannot be read now. */
  private ClusterConfiguration replicated(ClusterConfig config) {
    try (AdminClient admin = new AdminClient(config,
        identity.options(config, spec, "lockstep-operator"))) {
      return admin.configuration(Duration.ofSeconds(3));
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("the replicated configuration was not read: "
          + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The addresses the replicated configuration records, one replica a line. */
  static String recorded(ClusterConfiguration replicated) {
    if (replicated.members().isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("recorded addresses (configuration version "
        + replicated.version() + ", replica set " + replicated.replicas() + "):\n");
    for (MemberAddresses m : replicated.members().values()) {
      out.append("  ").append(m).append(replicated.replicas().contains(m.replica()) ? ""
          : " (not in the replica set)").append('\n');
    }
    return out.toString();
  }

  /** Listed replicas the leader counts neither as voters nor as learners. */
  private static List<Integer> spares(ClusterConfig config, ReplicaHealth leader) {
    List<Integer> voters = ReplicaHealth.ids(leader.voters());
    List<Integer> learners = ReplicaHealth.ids(leader.learners());
    return config.members().stream()
        .filter(r -> !voters.contains(r) && !learners.contains(r)).toList();
  }

  /**
   * The health column. A replica a test set to lie says so whatever its health, so nobody
   * takes its answers for an honest replica's.
   */
  private static String health(ReplicaHealth h) {
    String lying = h.testBehaviour().isEmpty() ? ""
        : " (TEST BEHAVIOUR " + h.testBehaviour() + ": lies on purpose)";
    if (h.healthy()) {
      return "ok" + lying;
    }
    return h.problemText().map(reason -> "UNHEALTHY: " + reason).orElse("UNHEALTHY") + lying;
  }
}
