package io.lockstep.order;

import java.util.List;

/**
 * What a replica's stable storage held when it (re)started: the input from which a protocol
 * rebuilds itself after a crash (X1).
 *
 * @param hardState the protocol's last durable hard state (opaque), or null if none was ever
 *     written
 * @param snapshot the last durable snapshot, or null
 * @param entries the durable log entries after the snapshot, in index order, without gaps
 */
public record Recovered(StorageWrite.HardState hardState, Snapshot snapshot, List<LogEntry> entries) {
  /** Storage of a replica that has never run. */
  public static final Recovered EMPTY = new Recovered(null, null, List.of());

  public Recovered {
    entries = List.copyOf(entries);
  }
}
