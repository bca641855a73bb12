package io.lockstep.server;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Ready;
import io.lockstep.order.Status;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The client questions a replica's loop has taken and not answered yet: proposed writes by
 * (client, sequence), linearizable reads by the id the loop gave them, each with the
 * {@link Origin} its answer goes to. The replica's replies, read results and redirects are
 * matched back to them here and handed to the {@link BatchRelease} as answers, so they become
 * visible only when the batch that produced them may (durability before visibility, see
 * {@link ReplicaLoop}). A question with no outcome within the request timeout is answered
 * "busy", and a leader that steps down sends all of them to the new leader.
 *
 * <p>Separate from {@link ReplicaLoop} because the loop turns events into steps and carries out
 * what they produce, while this class alone remembers who asked what and for how long; its maps
 * change only together with the answers they yield. Loop thread only, except
 * {@link #unasked}, which is set before the loop starts.
 */
final class PendingQuestions {
  private static final long SWEEP_EVERY_NANOS = 500_000_000L;

  private record WriteKey(ClientId client, long sequence) {
    @Override
    public int hashCode() {
      return client.hashWith(sequence); // not the record default, which collides: see there
    }
  }

  /** A question waiting for its answer; {@code reader} names a read's client (null: a write). */
  private record Pending(Origin origin, long since, ClientId reader) {
    Pending(Origin origin, long since) {
      this(origin, since, null);
    }
  }

  private final BatchRelease release;
  private final ServerMetrics metrics;
  private final IntFunction<String> clientAddressOf;
  private final Supplier<ServerJournal> journal;
  private final LocalReplies localReplies;
  private final long requestTimeoutNanos;
  private final Map<WriteKey, Pending> writes = new HashMap<>();
  private final Map<Long, Pending> reads = new HashMap<>();
  private volatile Consumer<Reply> unasked;
  private long nextReadId;
  private long lastSweep = System.nanoTime();

  /**
   * @param release where answers go, to be released with the batch that produced them
   * @param journal the loop's current journal (read at each use: it is set after start)
   * @param localReplies co-located clients waiting for this replica's own replies
   */
  PendingQuestions(BatchRelease release, ServerMetrics metrics,
      IntFunction<String> clientAddressOf, Supplier<ServerJournal> journal,
      LocalReplies localReplies, long requestTimeoutNanos) {
    this.release = release;
    this.metrics = metrics;
    this.clientAddressOf = clientAddressOf;
    this.journal = journal;
    this.localReplies = localReplies;
    this.requestTimeoutNanos = requestTimeoutNanos;
  }

  /** See {@link ReplicaLoop#unaskedReplies}. */
  void unasked(Consumer<Reply> to) {
    this.unasked = to;
  }

  /** A write was proposed: its reply (or redirect) goes to {@code origin}. */
  void proposed(Request request, Origin origin) {
    writes.put(new WriteKey(request.client(), request.sequence()),
        new Pending(origin, System.nanoTime()));
  }

  /** A read of {@code client} was taken: its result goes to {@code origin}; the read's id. */
  long readTaken(ClientId client, Origin origin) {
    long readId = ++nextReadId;
    reads.put(readId, new Pending(origin, System.nanoTime(), client));
    journal.get().readTaken(client, origin);
    return readId;
  }

  /** A reply the replica produced: to the co-located client, the asker, or the unasked sink. */
  void replied(Reply reply) {
    CompletableFuture<Reply> colocated = localReplies.take(reply);
    if (colocated != null) {
      release.answer(() -> colocated.complete(reply)); // after durability, as any answer
    }
    Pending p = writes.remove(new WriteKey(reply.client(), reply.sequence()));
    if (p != null) {
      journal.get().replied(reply);
      release.answer(() -> {
        p.origin().replied(reply);
        metrics.committed(System.nanoTime() - p.since());
      });
    } else if (unasked != null) {
      Consumer<Reply> to = unasked;
      release.answer(() -> to.accept(reply)); // after durability, as any answer
    }
  }

  /** A read's result, to the origin that asked (if it still waits). */
  void readAnswered(QueryResult result) {
    Pending p = reads.remove(result.readId());
    if (p != null) {
      journal.get().readAnswered(p.reader(), p.origin(), result);
      release.answer(() -> {
        p.origin().readResult(result);
        metrics.read(System.nanoTime() - p.since());
      });
    }
  }

  /** The protocol turned a write or read away: "busy", or a redirect to the leader it names. */
  void redirected(Ready.Redirect redirect) {
    Pending p = redirect.request() == null ? reads.remove(redirect.readId())
        : writes.remove(new WriteKey(redirect.request().client(), redirect.request().sequence()));
    if (p != null && p.reader() != null) {
      journal.get().readRedirected(p.reader(), p.origin(), redirect.reason());
    }
    if (p != null && redirect.busy()) {
      metrics.busy();
      release.answer(() -> p.origin().busy(redirect.reason()));
    } else if (p != null) {
      String address = clientAddressOf.apply(redirect.leaderHint());
      release.answer(() -> p.origin().redirect(redirect.leaderHint(), address,
          redirect.reason()));
    }
  }

  /** Forgets questions whose outcome did not come in time; their origins may retry. */
  void sweep() {
    long now = System.nanoTime();
    if (now - lastSweep < SWEEP_EVERY_NANOS) {
      return;
    }
    lastSweep = now;
    expire(writes.values().iterator(), now);
    expire(reads.values().iterator(), now);
  }

  private void expire(Iterator<Pending> pending, long now) {
    while (pending.hasNext()) {
      Pending p = pending.next();
      if (now - p.since() > requestTimeoutNanos) {
        pending.remove();
        release.answer(() -> p.origin().busy("no outcome within the request timeout"));
      }
    }
  }

  /**
   * A deposed leader cannot tell whether its pending requests will commit: it sends their
   * origins to the new leader, where a retry with the same (client, sequence) is answered from
   * the session cache if the request did commit (X4), so nothing is applied twice.
   */
  void leadershipLost(Status s) {
    String address = clientAddressOf.apply(s.leader());
    List<Pending> all = new ArrayList<>(writes.values());
    all.addAll(reads.values());
    writes.clear();
    reads.clear();
    for (Pending p : all) {
      release.answer(() -> p.origin().redirect(s.leader(), address,
          "leadership lost; retry with the same sequence number"));
    }
    release.flush();
  }
}
