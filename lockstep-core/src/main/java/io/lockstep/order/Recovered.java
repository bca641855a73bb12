package io.lockstep.order;

import java.util.List;
import java.util.Objects;

/**
 * What a replica's stable storage held when it (re)started: the input from which a protocol
 * rebuilds itself after a crash (X1).
 *
 * <p>Storage that finds damage a crash cannot explain (a bit flip, a detected lost write) in the
 * middle of its log does not refuse to start: it hands over the valid prefix with a
 * {@link Damage} saying what was lost, and the protocol repairs from its peers before it votes
 * or acknowledges again (protocol-aware recovery, Alagappan et al., FAST 2018). A protocol given
 * damage must persist a hard state that remembers the repair before anything else: storage keeps
 * reporting the damage on every restart until a hard state written after it is durable.
 *
 * @param hardState the protocol's last durable hard state (opaque), or null if none was ever
 *     written
 * @param snapshot the last durable snapshot, or null
 * @param entries the durable log entries after the snapshot, in index order, without gaps
 * @param damage what was lost, or null when storage was intact
 */
public record Recovered(StorageWrite.HardState hardState, Snapshot snapshot, List<LogEntry> entries,
    Damage damage) {
  /** Storage of a replica that has never run. */
  public static final Recovered EMPTY = new Recovered(null, null, List.of());

  /**
   * Damaged storage: the entries from {@code damagedFrom} on could not be read, and the replica
   * may have acknowledged entries up to {@code acknowledgedBound} before the damage.
   *
   * @param damagedFrom first log index whose entry is lost (the entries handed over end before
   *     it); 1 when the snapshot itself was lost
   * @param acknowledgedBound the highest index this replica may have stored (and so acknowledged)
   *     before the damage: at least the last index anywhere in its files
   * @param maxTermSeen the highest term of any readable entry, including those after the damage
   * @param description what was damaged, for the operator (file and offset)
   */
  public record Damage(long damagedFrom, long acknowledgedBound, long maxTermSeen,
      String description) {
    public Damage {
      if (damagedFrom < 1 || acknowledgedBound < damagedFrom - 1 || maxTermSeen < 0) {
        throw new IllegalArgumentException("damage from " + damagedFrom + ", acknowledged bound "
            + acknowledgedBound + ", max term " + maxTermSeen + " do not fit together");
      }
      Objects.requireNonNull(description, "description");
    }

    /** The wider of two reports of damage (a second one found before the first was repaired). */
    public Damage merge(Damage other) {
      if (other == null) {
        return this;
      }
      return new Damage(Math.min(damagedFrom, other.damagedFrom),
          Math.max(acknowledgedBound, other.acknowledgedBound),
          Math.max(maxTermSeen, other.maxTermSeen), description + "; " + other.description);
    }
  }

  public Recovered {
    entries = List.copyOf(entries);
  }

  /** Intact storage. */
  public Recovered(StorageWrite.HardState hardState, Snapshot snapshot, List<LogEntry> entries) {
    this(hardState, snapshot, entries, null);
  }
}
