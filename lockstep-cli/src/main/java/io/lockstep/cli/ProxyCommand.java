package io.lockstep.cli;

import io.lockstep.client.ClientJournal;
import io.lockstep.client.ClientOptions;
import io.lockstep.client.RedisProxy;
import io.lockstep.order.FailureModel;
import io.lockstep.server.config.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep proxy}: a Redis port for unmodified Redis clients ({@link RedisProxy}). In a
 * Byzantine cluster it sends each command to every replica and answers only what t+1 replicas
 * agree on, so an application keeps its Redis client and still survives t lying replicas.
 */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    header = "Serves Redis clients, voting on the replicas' answers.",
    description = {
        "Speaks RESP on --port and sends every command through the Java client: in a",
        "Byzantine cluster to every replica, answering with what t+1 of them agree on (reads:",
        "2t+1, else ordered). Runs until stopped. In a Byzantine cluster it acts as a keyed",
        "client: --client-id (default: proxy) needs client.ID.public-key and",
        "client.ID.private-key-file in the cluster file (`lockstep keys --client-id proxy`)."})
public final class ProxyCommand implements Callable<Integer> {
  /** The client id the proxy uses when none is given. */
  static final String DEFAULT_ID = "proxy";

  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Mixin ClientIdentity identity;

  @Option(names = "--port", required = true, description = "the Redis port to listen on")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "the address to listen on (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--password", description = "Redis clients must AUTH with it first")
  String password;

  @Option(names = "--journal-dir", paramLabel = "DIR",
      description = "Keep the proxy's own event journal here (commands, attempts to each"
          + " replica, replies, outcomes) for `lockstep timeline`: a DIR of the form"
          + " <data-dir>/proxy/journal is found by --data-dir, any other by --client-journal.")
  Path journalDir;

  @Option(names = "--transmitter", paramLabel = "MODE",
      description = "Byzantine replica-uid or real-time clusters: one-replica signs each request"
          + " with the proxy's client key and hands it to one replica, resending through the"
          + " next when no answer comes; pbft clusters: relay hands each request to one"
          + " replica with a MAC per replica, which relays it; broadcast sends every"
          + " replica the request (default: relay for pbft, broadcast otherwise)")
  String transmitter;

  @Override
  public Integer call() throws InterruptedException {
    ClusterConfig config;
    try {
      config = cluster.load();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    ClientOptions options = ClientIdentity.roundTimeouts(config, ClientIdentity.withTransmitter(
        identity.options(config, spec, DEFAULT_ID), transmitter, config, spec));
    PrintWriter out = spec.commandLine().getOut();
    ClientJournal journal;
    try {
      journal = journalDir == null ? ClientJournal.OFF
          : ClientJournal.start(journalDir, config.members(), config.journal());
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--journal-dir " + journalDir + ": "
          + e.getMessage());
    }
    RedisProxy proxy = RedisProxy.start(options, host, port, password, journal);
    // Closing in the hook, not after it: the JVM halts once its hooks return, so a close left
    // to the main thread would race the halt and lose the journal's last drain interval.
    Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "lockstep-proxy-stop"));
    out.printf("lockstep proxy for cluster %s on %s:%d (%s, t=%d: %s)%n", config.name(), host,
        proxy.port(), options.failureModel() == FailureModel.BYZANTINE ? "byzantine"
            : "fail-stop", options.t(), options.failureModel() == FailureModel.BYZANTINE
            ? "an answer needs " + (options.t() + 1) + " identical replies"
            : "the first reply is the answer");
    out.printf("connect: redis-cli -h %s -p %d%n", host, proxy.port());
    out.flush();
    // Serves until the process is stopped (SIGTERM, Ctrl-C): the hook above closes the proxy.
    new CountDownLatch(1).await();
    return 0;
  }
}
