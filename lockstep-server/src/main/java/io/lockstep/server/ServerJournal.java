package io.lockstep.server;

import io.lockstep.journal.Event;
import io.lockstep.journal.Journal;
import io.lockstep.machine.ClientId;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.replica.QueryResult;
import io.lockstep.request.Reply;
import io.lockstep.server.config.JournalSettings;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * A replica's event journal in the server: a {@link JournalWriter} into {@code <replica
 * dir>/journal}, plus the replica's ways of describing what its loop sees (messages sent,
 * received, dropped or never sent, replies). The events of sends and receives are reused
 * ({@link MessageEvents}), so the most frequent events allocate nothing on the loop thread.
 *
 * <p>On by default; {@code journal.enabled=false} in the cluster file or {@code
 * LOCKSTEP_JOURNAL=off} in the environment turns it off (to measure its cost, see
 * docs/BENCHMARKS.md); {@code LOCKSTEP_JOURNAL=switchable} keeps it on but pauses it while a
 * file {@value #PAUSE_FILE} exists in its directory, so one cluster under one load can be
 * measured with the journal on and off in alternating windows; {@code journal.max-file-bytes}
 * and {@code journal.files} bound its size.
 */
final class ServerJournal implements Journal, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ServerJournal.class.getName());

  /** A journal that keeps nothing (turned off). */
  static final ServerJournal OFF = new ServerJournal(-1, null);

  /**
   * In the journal's directory, the file whose presence pauses a switchable journal ({@link
   * JournalSettings#switchableByEnvironment}).
   */
  static final String PAUSE_FILE = "paused";

  private final int replica;
  private final JournalWriter writer;
  private final MessageEvents messageEvents = new MessageEvents();

  ServerJournal(int replica, JournalWriter writer) {
    this.replica = replica;
    this.writer = writer;
  }

  /**
   * The journal of {@code replica} in {@code dir} as {@code settings} say, or {@link #OFF} if
   * they or the environment turn it off.
   */
  static ServerJournal start(int replica, Path dir, JournalSettings settings)
      throws IOException {
    if (!settings.enabled() || JournalSettings.offByEnvironment()) {
      LOG.log(Level.INFO, "event=journal_off replica=" + replica + " reason=\""
          + (settings.enabled() ? JournalSettings.ENVIRONMENT + "=off" : "journal.enabled=false")
          + "\"");
      return OFF;
    }
    JournalWriter writer = JournalWriter.start(Integer.toString(replica), dir,
        settings.maxFileBytes(), settings.files());
    if (JournalSettings.switchableByEnvironment()) {
      LOG.log(Level.INFO, "event=journal_switchable replica=" + replica + " pause_file="
          + dir.resolve(PAUSE_FILE));
      writer.pausedBy(dir.resolve(PAUSE_FILE));
    }
    return new ServerJournal(replica, writer);
  }

  /** Whether this journal has a writer at all (it may still be paused now and then). */
  boolean on() {
    return writer != null;
  }

  /** Whether events are kept right now: on, and not paused ({@link JournalWriter#pausedBy}). */
  @Override
  public boolean recording() {
    return writer != null && writer.recording();
  }

  @Override
  public void record(int replica, Event event) {
    if (recording()) {
      writer.record(replica, event);
    }
  }

  void sent(int to, ProtocolMessage message) {
    if (recording()) {
      writer.record(replica, messageEvents.send(to, message));
    }
  }

  void received(int from, ProtocolMessage message) {
    if (recording()) {
      writer.record(replica, messageEvents.receive(from, message));
    }
  }

  /** A message from {@code from} that never reached the protocol (a full queue). */
  void droppedOnArrival(int from, ProtocolMessage message, String reason) {
    if (recording()) {
      writer.record(replica, Event.message(Event.Kind.DROP, from, Event.NONE, type(message)
          + ": " + reason));
    }
  }

  /** A message to {@code to} that never left (a full send queue, the peer down). */
  void unsent(int to, ProtocolMessage message, String reason) {
    if (recording()) {
      writer.record(replica, Event.message(Event.Kind.UNSENT, to, Event.NONE, type(message)
          + ": " + reason));
    }
  }

  void replied(Reply reply) {
    if (recording()) {
      writer.record(replica, Event.request(Event.Kind.REPLY, reply.client().toString(),
          reply.sequence(), reply.position(), Event.outcome(reply.status(), reply.reason())));
    }
  }

  /**
   * A read by {@code reader} was taken off the loop's queue. A read has no sequence number: it
   * is named by its client and the tag of the attempt ({@link Origin#tag}), which the client's
   * own journal records with the attempt, so a timeline joins the two.
   */
  void readTaken(ClientId reader, Origin origin) {
    readEvent(Event.Kind.PROPOSE, reader, origin, "read");
  }

  /** The read's result left for its client. */
  void readAnswered(ClientId reader, Origin origin, QueryResult result) {
    readEvent(Event.Kind.REPLY, reader, origin, result.ok() ? "OK " : "FAILED " + result.reason());
  }

  /** The read was sent elsewhere (not the leader, or busy). */
  void readRedirected(ClientId reader, Origin origin, String reason) {
    readEvent(Event.Kind.REDIRECT, reader, origin, reason);
  }

  private void readEvent(Event.Kind kind, ClientId reader, Origin origin, String detail) {
    // A read with no tag (none of today's origins) could not be joined to anything.
    if (origin.tag() >= 0 && recording()) {
      writer.record(replica, new Event(kind, Event.NONE, reader.toString(), Event.NONE,
          Event.NONE, Event.NONE, origin.tag(), detail));
    }
  }

  private static String type(ProtocolMessage message) {
    return message.getClass().getSimpleName();
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
