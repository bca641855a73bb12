package io.lockstep.server;

import io.lockstep.journal.Event;
import io.lockstep.journal.Journal;
import io.lockstep.journal.JournalLines;
import io.lockstep.journal.JournalRing;
import io.lockstep.journal.Stamped;
import io.lockstep.order.ProtocolMessage;
import io.lockstep.request.Reply;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A replica's event journal in the server: events go into a bounded {@link JournalRing} on the
 * thread that sees them (the loop; an I/O thread for a message dropped at a full queue), and a
 * writer thread moves them to rolling {@link JournalFiles} every {@value #DRAIN_MILLIS} ms, so the
 * loop never waits for a disk. If the writer falls behind, the ring overwrites its oldest events
 * and the file says how many were lost.
 *
 * <p>Times are nanoseconds since the epoch on one monotonic clock per process (the wall clock at
 * start plus the monotonic time since), so events never go backwards in a file and replicas on
 * one machine line up in a merged timeline.
 *
 * <p>On by default; {@code LOCKSTEP_JOURNAL=off} in the environment turns it off (to measure its
 * cost, see docs/BENCHMARKS.md).
 */
final class ServerJournal implements Journal, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ServerJournal.class.getName());
  static final long DRAIN_MILLIS = 200;
  static final int RING_CAPACITY = 1 << 17;
  static final long FILE_BYTES = 8L << 20;
  static final int FILES = 8;

  /** A journal that keeps nothing (turned off). */
  static final ServerJournal OFF = new ServerJournal(-1, null, null);

  private final int replica;
  private final JournalRing ring;
  private final JournalFiles files;
  private final ScheduledExecutorService writer;
  private final long originEpochNanos = System.currentTimeMillis() * 1_000_000L;
  private final long originNanos = System.nanoTime();
  private final MessageEvents messageEvents = new MessageEvents();
  private final List<Stamped> drained = new ArrayList<>();
  private final StringBuilder text = new StringBuilder(1 << 16);
  private long lostReported;

  ServerJournal(int replica, JournalRing ring, JournalFiles files) {
    this.replica = replica;
    this.ring = ring;
    this.files = files;
    this.writer = files == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lockstep-journal-" + replica);
      t.setDaemon(true);
      return t;
    });
    if (writer != null) {
      writer.scheduleWithFixedDelay(this::drain, DRAIN_MILLIS, DRAIN_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /** The journal of {@code replica} in {@code dir}, or {@link #OFF} if the environment says so. */
  static ServerJournal start(int replica, Path dir) throws IOException {
    if ("off".equalsIgnoreCase(System.getenv("LOCKSTEP_JOURNAL"))) {
      LOG.log(Level.INFO, "event=journal_off replica=" + replica);
      return OFF;
    }
    return new ServerJournal(replica, new JournalRing(RING_CAPACITY),
        new JournalFiles(dir, FILE_BYTES, FILES));
  }

  boolean on() {
    return ring != null;
  }

  @Override
  public void record(int replica, Event event) {
    if (ring != null) {
      ring.add(originEpochNanos + (System.nanoTime() - originNanos), replica, event);
    }
  }

  void sent(int to, ProtocolMessage message) {
    if (ring != null) {
      record(replica, messageEvents.send(to, message));
    }
  }

  void received(int from, ProtocolMessage message) {
    if (ring != null) {
      record(replica, messageEvents.receive(from, message));
    }
  }

  /** A message from {@code from} that never reached the protocol (a full queue). */
  void droppedOnArrival(int from, ProtocolMessage message, String reason) {
    if (ring != null) {
      record(replica, Event.message(Event.Kind.DROP, from, Event.NONE, type(message) + ": "
          + reason));
    }
  }

  /** A message to {@code to} that never left (a full send queue, the peer down). */
  void unsent(int to, ProtocolMessage message, String reason) {
    if (ring != null) {
      record(replica, Event.message(Event.Kind.UNSENT, to, Event.NONE, type(message) + ": "
          + reason));
    }
  }

  void replied(Reply reply) {
    if (ring != null) {
      record(replica, Event.request(Event.Kind.REPLY, reply.client().toString(),
          reply.sequence(), reply.position(), reply.status() + " " + reply.reason()));
    }
  }

  private static String type(ProtocolMessage message) {
    return message.getClass().getSimpleName();
  }

  /** Moves what the ring holds to the files (the writer thread, and close). */
  private synchronized void drain() {
    try {
      drained.clear();
      ring.drainTo(drained);
      text.setLength(0);
      long lost = ring.overwritten();
      if (lost > lostReported) {
        text.append("# lost ").append(lost - lostReported)
            .append(" events: the journal ring was full\n");
        lostReported = lost;
      }
      for (Stamped e : drained) {
        JournalLines.write(e, text);
      }
      if (text.length() > 0) {
        files.append(text);
      }
    } catch (IOException | RuntimeException e) {
      // The journal is for looking: a full disk must not stop the replica, which the log's own
      // failure handling does if the disk really is gone.
      LOG.log(Level.WARNING, "event=journal_write_failed replica=" + replica + " reason=\""
          + e.getMessage() + "\"");
    }
  }

  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    writer.shutdown();
    try {
      writer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drain();
    try {
      files.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "event=journal_close_failed replica=" + replica + " reason=\""
          + e.getMessage() + "\"");
    }
  }
}
