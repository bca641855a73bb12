package io.lockstep.client;

import io.lockstep.journal.Event;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import io.lockstep.server.JournalWriter;
import io.lockstep.server.config.JournalSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A client's own event journal: what the client did and saw, so that a real run's timeline
 * draws client lanes from the client's view (paper §4: the voter is in the client) rather than
 * from what the replicas happened to see. It records each operation's invocation, each attempt
 * to a replica, each reply received and from whom, and the outcome, as events on no replica
 * ({@code replica = -1}) named by the client id, in the same binary files as the replicas'
 * ({@link JournalWriter}). Reads carry no sequence number: each attempt of a read is named
 * by its client and the attempt's wire tag, which the replica that takes it journals too, and
 * the outcome by the tag of the attempt that answered, so a timeline draws a read's path as a
 * write's. The voting client sends a read to every replica under one tag, so its attempts, the
 * replicas' answers and its outcome all carry that tag.
 *
 * <p>Cheap on the client's threads for the same reasons as a replica's journal: events go into
 * a bounded ring and a writer thread encodes them. Use with {@link LockstepClient#journal}; the
 * voting proxy ({@code lockstep proxy --journal-dir}) keeps one too.
 */
public final class ClientJournal implements AutoCloseable {
  /** A journal that keeps nothing. */
  public static final ClientJournal OFF = new ClientJournal(null, List.of());

  private final JournalWriter writer;
  private final List<Integer> replicaIds;

  private ClientJournal(JournalWriter writer, List<Integer> replicaIds) {
    this.writer = writer;
    this.replicaIds = List.copyOf(replicaIds);
  }

  /**
   * A journal in {@code dir} (files as a replica's, {@link JournalSettings#DEFAULTS} sizes), or
   * {@link #OFF} if {@code LOCKSTEP_JOURNAL=off} is set.
   *
   * @param replicaIds the id of the replica at each index of the client's replica addresses (as
   *     the cluster file numbers them: {@code ClusterConfig.members()}), so that attempts and
   *     replies name the replica the replicas' own journals call it
   */
  public static ClientJournal start(Path dir, List<Integer> replicaIds) throws IOException {
    return start(dir, replicaIds, JournalSettings.DEFAULTS);
  }

  /** A journal in {@code dir} sized by {@code settings} (off if they or the environment say). */
  public static ClientJournal start(Path dir, List<Integer> replicaIds, JournalSettings settings)
      throws IOException {
    if (!settings.enabled() || JournalSettings.offByEnvironment()) {
      return OFF;
    }
    return new ClientJournal(JournalWriter.start("client", dir, settings.maxFileBytes(),
        settings.files()), replicaIds);
  }

  /** Whether anything is kept. */
  public boolean on() {
    return writer != null;
  }

  /** An ordered request was issued. */
  void invoke(Request request) {
    if (writer != null) {
      writer.record(-1, Event.request(Event.Kind.INVOKE, request.client().toString(),
          request.sequence(), Event.NONE, "submit " + request.command().length + " bytes"));
    }
  }

  /** A read was issued (it has no sequence number). */
  void invokeRead(ClientId reader, int bytes) {
    if (writer != null) {
      writer.record(-1, Event.request(Event.Kind.INVOKE, reader.toString(), Event.NONE,
          Event.NONE, "read " + bytes + " bytes"));
    }
  }

  /** {@code request} was sent to the replica at {@code index} of the client's addresses. */
  void attempt(Request request, int index) {
    if (writer != null) {
      writer.record(-1, new Event(Event.Kind.SEND, replicaId(index), request.client().toString(),
          request.sequence(), Event.NONE, Event.NONE, Event.NONE, "Submit"));
    }
  }

  /** Attempt {@code tag} of a read by {@code reader} was sent to the replica at {@code index}. */
  void readAttempt(ClientId reader, long tag, int index) {
    if (writer != null) {
      writer.record(-1, new Event(Event.Kind.SEND, replicaId(index), reader.toString(),
          Event.NONE, Event.NONE, Event.NONE, tag, "Read"));
    }
  }

  /** The result of read attempt {@code tag} arrived from the replica at {@code index}. */
  void readReceived(ClientId reader, long tag, int index, boolean ok) {
    if (writer != null) {
      writer.record(-1, new Event(Event.Kind.RECEIVE, replicaId(index), reader.toString(),
          Event.NONE, Event.NONE, Event.NONE, tag, ok ? "ReadResult OK" : "ReadResult FAILED"));
    }
  }

  /** {@code reply} arrived from the replica at {@code index}. */
  void received(Reply reply, int index) {
    if (writer != null) {
      writer.record(-1, new Event(Event.Kind.RECEIVE, replicaId(index), reply.client()
          .toString(), reply.sequence(), reply.position(), Event.NONE, Event.NONE, "Reply "
          + reply.status()));
    }
  }

  /**
   * The operation ended: {@code error} null for ok, an {@link IndeterminateException} for
   * "info" (it may have happened), anything else for "fail".
   */
  void outcome(ClientId client, long sequence, Throwable error) {
    outcome(client, sequence, Event.NONE, error);
  }

  /** As {@link #outcome(ClientId, long, Throwable)}, for a read answered by attempt {@code tag}. */
  void outcome(ClientId client, long sequence, long tag, Throwable error) {
    if (writer == null) {
      return;
    }
    Throwable cause = error instanceof java.util.concurrent.CompletionException c
        && c.getCause() != null ? c.getCause() : error;
    String detail = cause == null ? "ok"
        : (cause instanceof IndeterminateException ? "info " : "fail ") + cause.getMessage();
    writer.record(-1, new Event(Event.Kind.OUTCOME, Event.NONE, client.toString(), sequence,
        Event.NONE, Event.NONE, tag, detail));
  }

  private int replicaId(int index) {
    return index < replicaIds.size() ? replicaIds.get(index) : index + 1;
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
