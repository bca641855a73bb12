package io.lockstep.client;

import io.lockstep.order.FailureModel;
import io.lockstep.server.OperatorAuth;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends an operator's membership command ({@code lockstep member}) to a cluster: to any replica
 * that answers, following its redirect to the leader, which carries the command out. Each
 * command is signed with the operator key derived from the cluster secret, or in a cluster
 * without one with the operator's own key ({@link OperatorAuth}), on a connection authenticated
 * as any client of the cluster is.
 * A Byzantine cluster's replica set is replicated state changed by ordered commands: there
 * the command becomes a signed {@code SetReplicas} ({@link ReplicaSetClient}).
 */
public final class MemberClient implements AutoCloseable {
  private static final int MAX_HOPS = 8;
  /** The pause before asking again: a few heartbeats, under Raft's default election timeout. */
  private static final long AGAIN_PAUSE_MILLIS = 250;

  /**
   * The answer: done or refused, in the leader's words, and which replica answered.
   *
   * @param ok true when the command was carried out (or, for list, answered)
   * @param text the reason or the resulting configuration
   * @param answeredBy the replica that answered, or -1 when none did
   */
  public record Outcome(boolean ok, String text, int answeredBy) {}

  private final ClusterConfig config;
  private final OperatorAuth auth;
  private final OperatorLink link;
  /** For a Byzantine cluster: its replica set changes by ordered commands only. */
  private final AdminClient admin;

  /** A client of {@code config}'s cluster, connecting as {@code options} say (secret, key). */
  public MemberClient(ClusterConfig config, ClientOptions options) {
    this.config = config;
    this.auth = OperatorAuth.signing(config.name(), config.secret(),
        options.keys() == null ? null : options.keys().privateKey());
    this.link = new OperatorLink(options);
    this.admin = config.failureModel() == FailureModel.BYZANTINE
        ? new AdminClient(config, options) : null;
  }

  /**
   * Sends the command and waits for its answer, trying each replica in turn and following
   * redirects to the leader. While no replica can carry it out but one answers (an election
   * under way: none knows a leader) or the answer says the same command may be sent again
   * ({@link ClientMessage.MemberResult#mayTryAgain}: it changed nothing, or a leader change cut
   * it short and asked again it carries on), it asks again until {@code timeout} is up: a cluster that is
   * merely slow, as a loaded machine makes it, changes leaders now and then, and the operator
   * would otherwise get a refusal that only says to ask again.
   *
   * @param replica the replica to add or remove (for replace: to remove), -1 for list
   * @param other for replace, the replica to add; otherwise -1
   * @param timeout how long to wait in all
   */
  public Outcome send(MemberOperation operation, int replica, int other, Duration timeout)
      throws InterruptedException {
    if (admin != null) {
      return new ReplicaSetClient(config, admin).send(operation, replica, other, timeout);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Attempt attempt = walk(operation, replica, other, deadline);
      if (!attempt.mayTryAgain()
          || deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(AGAIN_PAUSE_MILLIS)) {
        return attempt.outcome();
      }
      Thread.sleep(AGAIN_PAUSE_MILLIS); // an election takes about an election timeout
    }
  }

  /** One answer, and whether the same command may be sent again for a better one. */
  private record Attempt(Outcome outcome, boolean mayTryAgain) {}

  /** One walk over the replicas (and the leaders they name) until one answers. */
  private Attempt walk(MemberOperation operation, int replica, int other, long deadline)
      throws InterruptedException {
    List<String> problems = new ArrayList<>();
    boolean answered = false; // a replica that answers is up: an election will end
    List<ReplicaAddresses> order = new ArrayList<>(config.replicas());
    for (int i = 0, hops = 0; i < order.size() && hops < MAX_HOPS
        && System.nanoTime() < deadline; hops++) {
      ReplicaAddresses target = order.get(i);
      ClientMessage answer;
      try {
        answer = link.exchange(target, tag -> auth.sign(tag, operation, replica, other,
            System.currentTimeMillis()), deadline);
      } catch (ExecutionException | TimeoutException e) {
        problems.add("replica " + target.id() + ": " + (e.getCause() != null
            ? e.getCause().getMessage() : "no answer in time"));
        i++;
        continue;
      }
      answered = true;
      if (answer instanceof ClientMessage.MemberResult r) {
        return new Attempt(new Outcome(r.ok(), r.text(), target.id()), r.mayTryAgain());
      } else if (answer instanceof ClientMessage.Redirect r && r.leaderHint() != target.id()
          && link.leader(config, r).isPresent()) {
        order.add(i + 1, link.leader(config, r).get()); // the leader next
        i++;
      } else {
        problems.add("replica " + target.id() + ": " + describe(answer));
        i++;
      }
    }
    return new Attempt(new Outcome(false, "no replica carried the command out: "
        + String.join("; ", problems), -1), answered);
  }

  private static String describe(ClientMessage answer) {
    if (answer instanceof ClientMessage.Busy b) {
      return "busy: " + b.reason();
    } else if (answer instanceof ClientMessage.Redirect r) {
      return "not the leader, and no leader known (" + r.reason() + ")";
    }
    return "unexpected answer " + answer.getClass().getSimpleName();
  }

  @Override
  public void close() {
    link.close();
    if (admin != null) {
      admin.close();
    }
  }
}
