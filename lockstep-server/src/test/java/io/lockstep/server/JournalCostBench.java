package io.lockstep.server;

import io.lockstep.journal.Event;
import io.lockstep.journal.JournalEncoder;
import io.lockstep.journal.JournalRing;
import io.lockstep.server.config.JournalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A measurement (not a test) of what the journal costs the loop thread: the time of
 * {@link ServerJournal#record} for a realistic mix of events (a proposal, an apply, a reply, a
 * commit mark, a send and a receive per client write, as a leader journals them), with the
 * writer thread draining to real files at the same time, against the same loop doing the same
 * work without a journal, and the loop thread alone with a ring no writer drains. Run with
 * {@code java -cp … io.lockstep.server.JournalCostBench [million-writes]}.
 */
public final class JournalCostBench {
  private static final JournalSettings DEFAULTS = JournalSettings.DEFAULTS;

  private JournalCostBench() {}

  public static void main(String[] args) throws Exception {
    int writes = (args.length > 0 ? Integer.parseInt(args[0]) : 2) * 1_000_000;
    Path dir = Files.createTempDirectory("journal-cost");
    for (int round = 0; round < 3; round++) {
      ServerJournal journal = new ServerJournal(0, new JournalWriter("0",
          new JournalRing(JournalWriter.RING_CAPACITY), new JournalFiles(dir.resolve("on-" + round),
          DEFAULTS.maxFileBytes(), DEFAULTS.files())));
      long on = time(journal, writes);
      journal.close();
      long off = time(ServerJournal.OFF, writes);
      long written = writerTime(dir.resolve("writer-" + round), 6 * writes);
      // The loop thread's own cost, without a writer competing for the cores: a ring that no one
      // drains (it overwrites its oldest, as a full ring does), timed against the same loop off.
      long alone = time(new ServerJournal(0, new JournalWriter("0",
          new JournalRing(JournalWriter.RING_CAPACITY), null)), writes);
      long aloneOff = time(ServerJournal.OFF, writes);
      System.out.printf(Locale.ROOT, "round %d: %d writes, 6 events each: journal on %.1f ns"
              + " per write, off %.1f ns, so %.1f ns per event on the loop thread; the writer"
              + " thread encodes and writes %.1f ns per event; the loop thread alone (no writer)"
              + " %.1f ns per event%n", round, writes,
          on / (double) writes, off / (double) writes, (on - off) / (6.0 * writes),
          written / (6.0 * writes), (alone - aloneOff) / (6.0 * writes));
    }
  }

  private static long time(ServerJournal journal, int writes) throws InterruptedException {
    ProtocolMessageStub message = new ProtocolMessageStub();
    long started = System.nanoTime();
    for (int i = 0; i < writes; i++) {
      String client = "client-" + (i & 31);
      if ((i & 1023) == 0) {
        Thread.sleep(0, 1); // let the writer run as it would between batches
      }
      if (!journal.on()) {
        continue;
      }
      journal.record(0, Event.request(Event.Kind.PROPOSE, client, i, Event.NONE, ""));
      journal.sent(1, message);
      journal.received(1, message);
      journal.record(0, Event.position(Event.Kind.STABLE, i));
      journal.record(0, Event.request(Event.Kind.APPLY, client, i, i, "OK "));
      journal.record(0, Event.request(Event.Kind.REPLY, client, i, i, "OK "));
    }
    return System.nanoTime() - started;
  }

  /**
   * The writer thread's share: encoding events into blocks and appending them to files. The
   * events are a leader's per write (proposal, apply, reply, a send, a receive, a commit mark)
   * for 32 sessions whose client ids are as long as the load generator's (88 characters), each
   * request's id a {@code String} of its own, as a request decoded from the wire has.
   */
  private static long writerTime(Path dir, int events) throws Exception {
    Event[] sample = new Event[6 * 4096];
    for (int r = 0; r < 4096; r++) {
      String client = "lockstep-bench-d54057a4-f3cd-45a3-a13b-da026dacf7da/8d020459-"
          + "0000000000000000000000" + String.format(Locale.ROOT, "%04d", r % 32);
      sample[6 * r] = Event.request(Event.Kind.PROPOSE, client, 123_456 + r, Event.NONE, "");
      sample[6 * r + 1] = Event.message(Event.Kind.SEND, 2, -1, "AppendEntries");
      sample[6 * r + 2] = Event.message(Event.Kind.RECEIVE, 2, -1, "AppendEntriesResponse");
      sample[6 * r + 3] = Event.position(Event.Kind.STABLE, 654_321 + r);
      sample[6 * r + 4] = Event.request(Event.Kind.APPLY, client, 123_456 + r, 654_321 + r, "OK ");
      sample[6 * r + 5] = Event.request(Event.Kind.REPLY, client, 123_456 + r, 654_321 + r, "OK ");
    }
    long bytes = 0;
    long started = System.nanoTime();
    try (JournalFiles files = new JournalFiles(dir, DEFAULTS.maxFileBytes(), DEFAULTS.files())) {
      JournalEncoder encoder = new JournalEncoder();
      for (int i = 0; i < events; i++) {
        encoder.add(1_796_426_461_183_044_571L + 3_000L * i, 1, sample[i % sample.length]);
        if (encoder.pendingBytes() > 1 << 20) {
          bytes += encoder.pendingBytes();
          encoder.flush(files::append);
        }
      }
      bytes += encoder.pendingBytes();
      encoder.flush(files::append);
    }
    long took = System.nanoTime() - started;
    System.out.printf(Locale.ROOT, "  writer: %.1f bytes per event%n", bytes / (double) events);
    return took;
  }

  /** A message whose type name is what the journal records. */
  private static final class ProtocolMessageStub implements io.lockstep.order.ProtocolMessage {}
}
