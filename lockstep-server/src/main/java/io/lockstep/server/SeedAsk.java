package io.lockstep.server;

import io.lockstep.net.FrameClient;
import io.lockstep.net.FrameConnection;
import io.lockstep.net.FrameHandler;
import io.lockstep.server.config.ConfigException;
import io.lockstep.server.wire.ClientCodec;
import io.lockstep.server.wire.ClientMessage;
import io.lockstep.storage.codec.CodecException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the seeds a small file names for their address book ({@link JoinFile}) on their client
 * ports, as {@link SeedPlan} says: fail-stop, one at a time in id order until one answers;
 * Byzantine, all at once, until {@code t+1} of them gave the same book (one that fewer give is
 * never used, so t lying seeds can delay a join but not change what it merges).
 *
 * <p>Refused with the reason, before anything is sent: per-client secrets (the seeds admit
 * only the forwarders of the replicas their own file names, so a machine no file names could
 * not prove one), and a Byzantine file naming fewer than t+1 seeds or no keys.
 */
final class SeedAsk {
  private static final System.Logger LOG = System.getLogger(SeedAsk.class.getName());

  private SeedAsk() {}

  /**
   * The address book the seeds gave.
   *
   * @param seed the lowest-numbered seed that gave it
   * @param entries the address book
   */
  record Answer(int seed, List<ClientMessage.BookEntry> entries) {}

  /** The seeds answered, but not t+1 of them alike (yet): ask again, never merge. */
  static final class NoAgreement extends IOException {
    NoAgreement(String message) {
      super(message);
    }
  }

  /**
   * The address book of the seeds {@code small} names ({@code base}: its directory).
   *
   * @throws ConfigException if the small file cannot be used to ask (see the class comment)
   * @throws NoAgreement if in the Byzantine model no t+1 seeds gave the same book in time
   * @throws IOException if too few seeds answered within {@code timeout}, with each one's reason
   */
  static Answer ask(Properties small, Path base, String source, int self, Duration timeout)
      throws ConfigException, IOException, InterruptedException {
    SeedPlan plan = SeedPlan.of(small, base, source, self);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (FrameClient frames = new FrameClient(plan.client())) {
      return plan.byzantine() ? agreed(frames, plan, source, self, deadline)
          : first(frames, plan, source, self, deadline);
    }
  }

  /** Fail-stop: the first seed that answers. */
  private static Answer first(FrameClient frames, SeedPlan plan, String source, int self,
      long deadline) throws IOException, InterruptedException {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Integer, String> seed : plan.seeds().entrySet()) {
      try {
        List<ClientMessage.BookEntry> book = askOne(frames, plan, seed.getKey())
            .get(left(deadline), TimeUnit.NANOSECONDS);
        received(self, seed.getKey(), book);
        return new Answer(seed.getKey(), book);
      } catch (ExecutionException | TimeoutException e) {
        problems.add("replica " + seed.getKey() + " at " + seed.getValue() + ": " + why(e));
      }
    }
    throw new IOException("no seed in " + source + " answered with its address book: "
        + String.join("; ", problems));
  }

  /**
   * Byzantine: every seed is asked at once; returns as soon as {@code plan.needed()} of them
   * gave the same book, so a silent seed does not hold the join up.
   */
  private static Answer agreed(FrameClient frames, SeedPlan plan, String source, int self,
      long deadline) throws IOException, InterruptedException {
    BlockingQueue<Integer> done = new LinkedBlockingQueue<>();
    Map<Integer, CompletableFuture<List<ClientMessage.BookEntry>>> asks = new TreeMap<>();
    for (int seed : plan.seeds().keySet()) {
      asks.put(seed, askOne(frames, plan, seed));
      asks.get(seed).whenComplete((book, failure) -> done.add(seed));
    }
    Map<Integer, List<ClientMessage.BookEntry>> books = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (int heard = 0; heard < asks.size(); heard++) {
      Integer seed = done.poll(left(deadline), TimeUnit.NANOSECONDS);
      if (seed == null) {
        problems.add("no answer in time from the others");
        break;
      }
      try {
        books.put(seed, asks.get(seed).get());
        received(self, seed, books.get(seed));
      } catch (ExecutionException e) {
        problems.add("replica " + seed + " at " + plan.seeds().get(seed) + ": " + why(e));
      }
      Answer answer = agreement(books, plan.needed());
      if (answer != null) {
        asks.values().forEach(a -> a.cancel(true));
        return answer;
      }
    }
    asks.values().forEach(a -> a.cancel(true));
    String why = "no " + plan.needed() + " seeds in " + source + " gave the same address book ("
        + books.size() + " answered" + (books.size() > 1 ? ", not alike" : "") + ")"
        + (problems.isEmpty() ? "" : ": " + String.join("; ", problems));
    throw books.isEmpty() ? new IOException(why) : new NoAgreement(why);
  }

  /**
   * The book at least {@code needed} seeds gave byte for byte alike (their encodings compared:
   * a lying seed's book differs in some byte), or null. With {@code needed = t+1}, at least one
   * of them is correct, so the book is one a correct replica holds.
   */
  static Answer agreement(Map<Integer, List<ClientMessage.BookEntry>> books, int needed) {
    Map<String, List<Integer>> alike = new TreeMap<>();
    books.forEach((seed, book) -> alike.computeIfAbsent(HexFormat.of().formatHex(
        ClientCodec.encode(new ClientMessage.AddressBookAnswer(0, book))),
        k -> new ArrayList<>()).add(seed));
    for (List<Integer> seeds : alike.values()) {
      if (seeds.size() >= needed) {
        int lowest = seeds.stream().mapToInt(Integer::intValue).min().orElseThrow();
        LOG.log(Level.INFO, "event=address_book_agreed seeds=" + seeds + " needed=" + needed);
        return new Answer(lowest, books.get(lowest));
      }
    }
    return null;
  }

  private static void received(int self, int seed, List<ClientMessage.BookEntry> book) {
    LOG.log(Level.INFO, "event=address_book_received replica=" + self + " seed=" + seed
        + " entries=" + book.size());
  }

  private static String why(Exception e) {
    return e instanceof TimeoutException ? "no answer in time"
        : e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
  }

  /**
   * One seed's address book, or why not. In the Byzantine model the connection checks the
   * seed's key, so the answer is the seed's own.
   */
  private static CompletableFuture<List<ClientMessage.BookEntry>> askOne(FrameClient frames,
      SeedPlan plan, int seed) {
    CompletableFuture<ClientMessage> answer = new CompletableFuture<>();
    FrameHandler handler = new FrameHandler() {
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
    };
    CompletableFuture<FrameConnection> connection;
    try {
      InetSocketAddress address = address(plan.seeds().get(seed));
      connection = plan.byzantine() ? frames.connect(address, Integer.toString(seed),
          plan.seedKeys().get(seed), handler) : frames.connect(address, handler);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return connection.thenCompose(c -> {
      c.send(ClientCodec.encode(new ClientMessage.AddressBookAsk(1)));
      return answer.whenComplete((m, failure) -> c.close());
    }).thenApply(SeedAsk::book);
  }

  private static List<ClientMessage.BookEntry> book(ClientMessage message) {
    if (message instanceof ClientMessage.AddressBookAnswer book && book.tag() == 1) {
      return book.entries();
    }
    throw new java.util.concurrent.CompletionException(new IOException(
        message instanceof ClientMessage.Busy b ? "busy: " + b.reason()
            : "unexpected answer " + message.getClass().getSimpleName()
                + " (a replica of an earlier build closes the connection instead)"));
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
