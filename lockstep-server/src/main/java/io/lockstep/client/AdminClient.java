package io.lockstep.client;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationQuery;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.order.FailureModel;
import io.lockstep.request.Reply;
import io.lockstep.server.OperatorAuth;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ReplicaAddresses;
import io.lockstep.server.wire.ClientMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;

/**
 * Sends an operator's system commands ({@code lockstep client|device add|remove}, paper §7:
 * clients and output devices are changed by ordered commands) and reads the configuration
 * ({@code list}). A command is signed once with the operator key derived from the cluster
 * secret ({@link OperatorAuth#signAdmin}) and that same signed command goes to any replica
 * that answers, following redirects to the leader: the replicas submit it in the
 * administrator session its nonce names, so however often it arrives it is ordered at most
 * once. A Byzantine cluster gets every command from the tool at every replica, and the answer
 * is one that 2t+1 replicas gave alike ({@link EveryReplicaAsk}).
 */
public final class AdminClient implements AutoCloseable {
  private static final int MAX_HOPS = 8;
  private static final long BUSY_PAUSE_MILLIS = 50;
  /** The pause before walking the replicas again: under Raft's default election timeout. */
  private static final long AGAIN_PAUSE_MILLIS = 250;

  /**
   * The answer to a system command.
   *
   * @param ok true when the change was ordered
   * @param at the stated position at which it takes effect when {@code ok}; otherwise 0
   * @param text the refusal's reason, or why no replica answered
   */
  public record Outcome(boolean ok, long at, String text) {}

  private final ClusterConfig config;
  private final ClientOptions options;
  private final OperatorAuth auth;
  private final OperatorLink link;

  /** A client of {@code config}'s cluster, connecting as {@code options} say (secret, key). */
  public AdminClient(ClusterConfig config, ClientOptions options) {
    this.config = config;
    this.options = options;
    // Reading the configuration needs no operator key; only send() signs, and says what is
    // missing when it cannot (a cluster without a secret, a client that is no operator).
    this.auth = config.secret() == null && options.keys() == null ? null
        : OperatorAuth.signing(config.name(), config.secret(),
            options.keys() == null ? null : options.keys().privateKey());
    this.link = new OperatorLink(options);
  }

  /**
   * Orders {@code command}; the outcome says where it takes effect or why it was refused.
   *
   * @throws IllegalArgumentException if there is nothing to sign with: the cluster has no secret
   *     and this client no key (an operator's, {@code cluster.operators})
   */
  public Outcome send(SystemCommand command, Duration timeout) throws InterruptedException {
    OperatorAuth auth = this.auth != null ? this.auth
        : OperatorAuth.signing(config.name(), null, null); // throws, saying what to configure
    ClientMessage.Admin signed = auth.signAdmin(0, SystemCommands.encode(command),
        System.currentTimeMillis());
    Answer answer = ask(tag -> new ClientMessage.Admin(tag, signed.command(),
        signed.issuedAtMillis(), signed.nonce(), signed.mac()), timeout);
    if (!(answer.message() instanceof ClientMessage.Replied r)) {
      return new Outcome(false, 0, answer.problems());
    }
    Reply reply = r.reply();
    if (reply.status() == Reply.Status.OK) {
      return new Outcome(true, SystemCommands.receiptPosition(reply.value()), "");
    }
    return new Outcome(false, 0, reply.reason());
  }

  /**
   * The configuration as the cluster holds it now (a linearizable read through the leader),
   * with the replicas' recorded addresses.
   *
   * @throws LockstepException if no replica answered or the answer does not decode
   */
  public ClusterConfiguration configuration(Duration timeout) throws InterruptedException {
    if (config.failureModel() == FailureModel.BYZANTINE) {
      return orderedConfiguration(timeout); // one replica's read answer proves nothing there
    }
    Answer answer = ask(tag -> new ClientMessage.Read(tag, options.clientId(),
        ConfigurationQuery.withMembers()), timeout);
    if (!(answer.message() instanceof ClientMessage.ReadResult r)) {
      throw new LockstepException(answer.problems());
    }
    if (!r.result().ok()) {
      throw new LockstepException("the configuration query was refused: " + r.result().reason());
    }
    try {
      return ConfigurationCodec.decodeFull(r.result().value());
    } catch (IllegalArgumentException e) {
      throw new LockstepException("the configuration does not decode: " + e.getMessage());
    }
  }

  /**
   * The configuration as the order holds it, with the replicas' recorded addresses: the query
   * goes through the order as a signed system command, so it is answered at one position, the
   * same on every correct replica. A
   * PBFT cluster whose replica set can change answers only such reads (an unordered one might
   * combine answers from two replica sets).
   *
   * @throws LockstepException if no replica answered, it was refused, or it does not decode
   */
  public ClusterConfiguration orderedConfiguration(Duration timeout) throws InterruptedException {
    OperatorAuth auth = this.auth != null ? this.auth
        : OperatorAuth.signing(config.name(), null, null); // throws, saying what to configure
    ClientMessage.Admin signed = auth.signAdmin(0, ConfigurationQuery.withMembers(),
        System.currentTimeMillis());
    Answer answer = ask(tag -> new ClientMessage.Admin(tag, signed.command(),
        signed.issuedAtMillis(), signed.nonce(), signed.mac()), timeout);
    if (!(answer.message() instanceof ClientMessage.Replied r)) {
      throw new LockstepException(answer.problems());
    }
    if (r.reply().status() != Reply.Status.OK) {
      throw new LockstepException("the configuration query was refused: " + r.reply().reason());
    }
    return decodeEitherForm(r.reply().value());
  }

  /**
   * The full form (with the replicas' recorded addresses and keys); a replica of an earlier
   * build answers the ordered full query in the short form, read as a configuration without
   * records.
   */
  private static ClusterConfiguration decodeEitherForm(byte[] value) {
    try {
      return ConfigurationCodec.decodeFull(value);
    } catch (IllegalArgumentException full) {
      try {
        return ConfigurationCodec.decode(value);
      } catch (IllegalArgumentException e) {
        throw new LockstepException("the configuration does not decode: " + full.getMessage());
      }
    }
  }

  /**
   * A final answer (a reply or read result), or null and what went wrong at each replica, and
   * whether one of them answered without a final answer (it is up: asking again may help).
   */
  private record Answer(ClientMessage message, String problems, boolean electing) {
    Answer(ClientMessage message, String problems) {
      this(message, problems, false);
    }
  }

  /**
   * Asks until a replica gives a final answer or {@code timeout} is up. A walk over the
   * replicas that found some up but none with a final answer (an election under way: they know
   * no leader, or the one that led lost leadership) is walked again after a pause: a cluster
   * that is merely slow changes leaders now and then, and asking again is safe, since a
   * command is signed once and ordered at most once however often it arrives.
   */
  private Answer ask(LongFunction<ClientMessage> question, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (config.failureModel() == FailureModel.BYZANTINE) {
      List<String> problems = new ArrayList<>();
      Reply agreed = new EveryReplicaAsk(config, link).ask(question, deadline, problems);
      return agreed == null ? new Answer(null, String.join("; ", problems))
          : new Answer(new ClientMessage.Replied(0, agreed), "");
    }
    while (true) {
      Answer answer = walk(question, deadline);
      if (answer.message() != null || !answer.electing()
          || deadline - System.nanoTime() <= TimeUnit.MILLISECONDS.toNanos(AGAIN_PAUSE_MILLIS)) {
        return answer;
      }
      Thread.sleep(AGAIN_PAUSE_MILLIS);
    }
  }

  /** One walk over the replicas (and the leaders they name) until one gives a final answer. */
  private Answer walk(LongFunction<ClientMessage> question, long deadline)
      throws InterruptedException {
    List<String> problems = new ArrayList<>();
    boolean answered = false;
    List<ReplicaAddresses> order = new ArrayList<>(config.replicas());
    for (int i = 0, hops = 0; i < order.size() && hops < MAX_HOPS
        && System.nanoTime() < deadline; hops++) {
      ReplicaAddresses target = order.get(i);
      ClientMessage answer;
      try {
        answer = link.exchange(target, question, deadline);
      } catch (ExecutionException | TimeoutException e) {
        problems.add("replica " + target.id() + ": " + (e.getCause() != null
            ? e.getCause().getMessage() : "no answer in time"));
        i++;
        continue;
      }
      answered = true;
      if (answer instanceof ClientMessage.Replied || answer instanceof ClientMessage.ReadResult) {
        return new Answer(answer, "");
      } else if (answer instanceof ClientMessage.Redirect r && r.leaderHint() != target.id()
          && link.leader(config, r).isPresent()) {
        order.add(i + 1, link.leader(config, r).get()); // the leader next
        i++;
      } else if (answer instanceof ClientMessage.Busy b) {
        problems.add("replica " + target.id() + ": busy: " + b.reason());
        Thread.sleep(BUSY_PAUSE_MILLIS); // the same replica again: busy is never final
      } else {
        problems.add("replica " + target.id() + ": " + describe(answer));
        i++;
      }
    }
    return new Answer(null, "no replica answered: " + String.join("; ", problems), answered);
  }

  private static String describe(ClientMessage answer) {
    if (answer instanceof ClientMessage.Redirect r) {
      return "not the leader, and no leader known (" + r.reason() + ")";
    }
    return "unexpected answer " + answer.getClass().getSimpleName();
  }

  @Override
  public void close() {
    link.close();
  }
}
