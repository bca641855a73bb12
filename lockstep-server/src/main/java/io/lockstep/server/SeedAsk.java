package io.lockstep.server;

import io.lockstep.net.ClientConfig;
import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.net.NetOptions;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the seeds a small file names for their address book ({@link JoinFile}), one at a time
 * in id order, on each one's client port, authenticated as any client of the cluster is: the
 * file's {@code client.secret}, or none when the cluster does not authenticate clients. In the
 * fail-stop model one answer is enough: a replica may crash but does not lie.
 *
 * <p>Refused with the reason, before anything is sent: the Byzantine model (there one seed's
 * answer is not evidence; agreement of t+1 seeds over key-authenticated connections is not
 * built) and per-client secrets (the seeds admit only the forwarders of the replicas their own
 * file names, so a machine no file names could not prove one).
 */
final class SeedAsk {
  private static final System.Logger LOG = System.getLogger(SeedAsk.class.getName());

  private SeedAsk() {}

  /**
   * One seed's answer.
   *
   * @param seed the replica that answered
   * @param entries its address book
   */
  record Answer(int seed, List<ClientMessage.BookEntry> entries) {}

  /**
   * The first answer of the seeds {@code small} names.
   *
   * @throws ConfigException if the small file cannot be used to ask (no seed, no name, a
   *     failure model or authentication this does not support)
   * @throws IOException if no seed answered within {@code timeout}, with each one's reason
   */
  static Answer ask(Properties small, String source, int self, Duration timeout)
      throws ConfigException, IOException, InterruptedException {
    Map<Integer, String> seeds = JoinFile.seeds(small, self);
    ClientConfig client = credentials(small, source, self, seeds);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> problems = new ArrayList<>();
    try (FrameClient frames = new FrameClient(client)) {
      for (Map.Entry<Integer, String> seed : seeds.entrySet()) {
        try {
          List<ClientMessage.BookEntry> book = askOne(frames, seed.getValue(), deadline);
          LOG.log(Level.INFO, "event=address_book_received replica=" + self + " seed="
              + seed.getKey() + " entries=" + book.size());
          return new Answer(seed.getKey(), book);
        } catch (ExecutionException | TimeoutException | IOException e) {
          String why = e instanceof TimeoutException ? "no answer in time"
              : e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
          problems.add("replica " + seed.getKey() + " at " + seed.getValue() + ": " + why);
        }
      }
    }
    throw new IOException("no seed in " + source + " answered with its address book: "
        + String.join("; ", problems));
  }

  /** How this machine connects to the seeds' client ports; refusals listed first. */
  private static ClientConfig credentials(Properties small, String source, int self,
      Map<Integer, String> seeds) throws ConfigException {
    List<String> problems = new ArrayList<>();
    String name = JoinFile.trimmed(small.getProperty("cluster.name"));
    if (name == null || name.isEmpty()) {
      problems.add("cluster.name is required");
    }
    if (seeds.isEmpty()) {
      problems.add("a join file names at least one running replica besides replica " + self
          + " (replica.ID.client of a seed to ask)");
    }
    if ("byzantine".equals(JoinFile.trimmed(small.getProperty("cluster.failure-model")))) {
      problems.add("joining from a small file is built for fail-stop clusters only: in the"
          + " Byzantine model one seed's answer is not evidence; start this replica from a"
          + " full cluster file");
    }
    if (small.stringPropertyNames().stream()
        .anyMatch(k -> k.startsWith("client.") && k.endsWith(".secret"))) {
      problems.add("joining from a small file does not work with per-client secrets"
          + " (client.ID.secret): the seeds admit only the replicas their own file names");
    }
    String secret = JoinFile.trimmed(small.getProperty("client.secret"));
    if (secret != null && !secret.matches("([0-9a-fA-F]{2}){16,}")) {
      problems.add("client.secret must be at least 32 hex digits (16 bytes)");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    String id = "joining-replica-" + self;
    NetOptions net = NetOptions.defaults().withIoThreads(1)
        .withMaxPayloadBytes(ReplicaServer.CLIENT_MAX_PAYLOAD);
    return secret == null ? ClientConfig.unauthenticated(name, id, net)
        : ClientConfig.authenticated(name, id, HexFormat.of().parseHex(secret), net);
  }

  /** One seed's address book, or why not. */
  private static List<ClientMessage.BookEntry> askOne(FrameClient frames, String hostPort,
      long deadline) throws IOException, ExecutionException, TimeoutException,
      InterruptedException {
    InetSocketAddress address = address(hostPort);
    CompletableFuture<ClientMessage> answer = new CompletableFuture<>();
    FrameConnection connection = frames.connect(address, new FrameHandler() {
      @Override
      public void onFrame(FrameConnection c, byte[] payload) {
        try {
          answer.complete(ClientCodec.decode(payload));
        } catch (CodecException e) {
          answer.completeExceptionally(e);
        }
      }

      @Override
      public void onClose(FrameConnection c) {
        answer.completeExceptionally(new IOException("connection closed"));
      }
    }).get(left(deadline), TimeUnit.NANOSECONDS);
    try {
      connection.send(ClientCodec.encode(new ClientMessage.AddressBookAsk(1)));
      ClientMessage message = answer.get(left(deadline), TimeUnit.NANOSECONDS);
      if (message instanceof ClientMessage.AddressBookAnswer book && book.tag() == 1) {
        return book.entries();
      }
      throw new IOException(message instanceof ClientMessage.Busy b ? "busy: " + b.reason()
          : "unexpected answer " + message.getClass().getSimpleName()
              + " (a replica of an earlier build closes the connection instead)");
    } finally {
      connection.close();
    }
  }

  private static long left(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }

  private static InetSocketAddress address(String hostPort) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    try {
      return new InetSocketAddress(hostPort.substring(0, colon).replaceAll("^\\[|\\]$", ""),
          Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (RuntimeException e) {
      throw new IOException("'" + hostPort + "' is not host:port");
    }
  }
}
