package io.lockstep.cli.cluster;

import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Asks every replica of a cluster for its {@code /health} (role, term, commit and applied
 * positions). Used by {@code lockstep status}, by {@code lockstep local} while it waits for a
 * leader, and by the process tests.
 */
public final class HealthProbe implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofMillis(1_000);

  private final ClusterConfig config;
  private final ExecutorService executor;
  private final HttpClient http;

  /** A probe of {@code config}'s replicas. */
  public HealthProbe(ClusterConfig config) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    // An explicit executor: HttpClient's default would otherwise create its own cached pool.
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lockstep-health-probe");
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).executor(executor).build();
  }

  /** Every replica's health, by increasing id. */
  public List<ReplicaHealth> all() {
    List<ReplicaHealth> out = new ArrayList<>();
    for (ReplicaAddresses r : config.replicas()) {
      out.add(probe(r));
    }
    return out;
  }

  /** The replica that says it leads with the highest term, if any. */
  public static Optional<ReplicaHealth> leader(List<ReplicaHealth> replicas) {
    return replicas.stream().filter(ReplicaHealth::isLeader)
        .max(java.util.Comparator.comparingLong(ReplicaHealth::term));
  }

  private ReplicaHealth probe(ReplicaAddresses replica) {
    return probe(replica.id(), ReplicaAddresses.text(replica.metrics()));
  }

  /**
   * The health of replica {@code id} whose HTTP port is at {@code hostPort} (a replica the
   * replicated configuration records, which the file may not name).
   */
  public ReplicaHealth probe(int id, String hostPort) {
    URI uri = URI.create("http://" + hostPort + "/health");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return ReplicaHealth.parse(id, response.statusCode(), response.body());
    } catch (ConnectException e) {
      return ReplicaHealth.unreachable(id, "connection refused at " + uri.getAuthority());
    } catch (HttpTimeoutException e) {
      return ReplicaHealth.unreachable(id, "no answer within " + TIMEOUT.toMillis()
          + " ms at " + uri.getAuthority());
    } catch (IOException | IllegalArgumentException e) {
      return ReplicaHealth.unreachable(id, e.getClass().getSimpleName() + ": "
          + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ReplicaHealth.unreachable(id, "interrupted");
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
