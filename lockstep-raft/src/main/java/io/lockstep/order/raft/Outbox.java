package io.lockstep.order.raft;

import io.lockstep.order.LogEntry;
import io.lockstep.order.Ordered;
import io.lockstep.order.Ready;
import io.lockstep.order.Snapshot;
import io.lockstep.order.StorageWrite;
import java.util.ArrayList;
import java.util.List;

/**
 * Effects accumulated between two {@link Raft#ready()} calls. Consecutive appended entries are
 * gathered into one {@link StorageWrite.Append} (so many proposals cost one write, X3), and the
 * order of writes is kept: a term change is stored before the entries of that term, so a crash
 * in the middle of a Ready never leaves entries newer than the stored term.
 */
final class Outbox {
  private final List<StorageWrite> writes = new ArrayList<>();
  private final List<LogEntry> appendBuffer = new ArrayList<>();
  private final List<Ready.Outbound> messages = new ArrayList<>();
  private final List<Ordered> stable = new ArrayList<>();
  private final List<Ready.ReadGrant> reads = new ArrayList<>();
  private final List<Ready.Redirect> redirects = new ArrayList<>();
  private final List<Ready.EntriesWanted> entryReads = new ArrayList<>();
  private Snapshot install;

  void hardState(TermAndVote state) {
    flushAppend();
    StorageWrite hardState = state.toHardState();
    int last = writes.size() - 1;
    if (last >= 0 && writes.get(last) instanceof StorageWrite.HardState) {
      writes.set(last, hardState);
    } else {
      writes.add(hardState);
    }
  }

  /** Queues {@code entry} for storage; an index at or below earlier ones overwrites them. */
  void append(LogEntry entry) {
    if (!appendBuffer.isEmpty()) {
      long first = appendBuffer.get(0).index();
      long last = appendBuffer.get(appendBuffer.size() - 1).index();
      if (entry.index() > last + 1) {
        throw new IllegalStateException("append of " + entry.index() + " after " + last);
      }
      if (entry.index() >= first) {
        appendBuffer.subList((int) (entry.index() - first), appendBuffer.size()).clear();
      } else {
        flushAppend();
      }
    }
    appendBuffer.add(entry);
  }

  void saveSnapshot(Snapshot snapshot) {
    flushAppend();
    writes.add(new StorageWrite.SaveSnapshot(snapshot));
  }

  void send(int to, RaftMessage message) {
    messages.add(new Ready.Outbound(to, message));
  }

  /** The executor must restart from {@code snapshot}; stable entries it covers are moot. */
  void install(Snapshot snapshot) {
    install = snapshot;
    stable.clear();
  }

  void stable(Ordered ordered) {
    stable.add(ordered);
  }

  void grant(long readId, long position) {
    reads.add(new Ready.ReadGrant(readId, position));
  }

  void redirect(Ready.Redirect redirect) {
    redirects.add(redirect);
  }

  /** Asks the runtime to read stored entries back (after this Ready's writes). */
  void wantEntries(Ready.EntriesWanted read) {
    entryReads.add(read);
  }

  /** Returns the accumulated effects and starts afresh. */
  Ready drain() {
    flushAppend();
    Ready ready = new Ready(writes, messages, install, stable, reads, redirects, entryReads);
    entryReads.clear();
    writes.clear();
    messages.clear();
    stable.clear();
    reads.clear();
    redirects.clear();
    install = null;
    return ready;
  }

  private void flushAppend() {
    if (!appendBuffer.isEmpty()) {
      writes.add(new StorageWrite.Append(appendBuffer));
      appendBuffer.clear();
    }
  }
}
