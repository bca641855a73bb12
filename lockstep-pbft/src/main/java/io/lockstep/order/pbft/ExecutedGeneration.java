package io.lockstep.order.pbft;

import io.lockstep.machine.ClientId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One generation of {@link RecentlyExecuted}: a set of request identities (client, sequence
 * number, copy sender) without an object per identity. Each client id seen in the generation
 * gets a number (its first instance is kept; requests decode their own copies), and an
 * identity is three array cells, (number, sequence, copy sender's number), in an open-addressed
 * table probed linearly from the key's own mixed hash ({@link Pending.Key#hashCode}) and kept
 * at most half full. Clearing keeps the arrays, so a replica under load allocates nothing here
 * once the table has grown.
 *
 * <p>A faulty client picks its id and sequence numbers, and the slot of a key is a fixed function
 * of them, so it could aim a run of keys at one slot and make each probe walk the whole run. A
 * probe therefore stops after {@link #PROBE_LIMIT} slots: a key that finds them all taken goes
 * to an ordinary set of keys, whose full buckets become trees (keys are ordered). The rule that
 * keeps lookups exact: slots are never emptied one by one (only all at once, by
 * {@link #clear}), so a key whose probe meets an empty slot was never put in the overflow, and
 * only a probe that meets none looks there.
 */
final class ExecutedGeneration {
  /** Slots a probe visits before the key goes to, or is looked for in, the overflow set. */
  static final int PROBE_LIMIT = 16;
  private static final int INITIAL_SLOTS = 64;

  private final int probeLimit;
  /** Each client id seen, by number, and the number of each. */
  private final List<ClientId> ids = new ArrayList<>();
  private final Map<ClientId, Integer> numbers = new HashMap<>();
  /** A client's number plus one, 0 where the slot is empty. */
  private int[] clients = new int[INITIAL_SLOTS];
  /** The copy sender's number plus one, 0 for a request that names none. */
  private int[] copies = new int[INITIAL_SLOTS];
  private long[] sequences = new long[INITIAL_SLOTS];
  private final Set<Pending.Key> overflow = new HashSet<>();
  private int size;

  ExecutedGeneration(int probeLimit) {
    if (probeLimit < 1) {
      throw new IllegalArgumentException("probe limit must be positive, not " + probeLimit);
    }
    this.probeLimit = probeLimit;
  }

  int size() {
    return size;
  }

  boolean contains(Pending.Key key) {
    Integer client = numbers.get(key.client());
    int copy = key.copyFrom() == null ? 0 : plusOne(numbers.get(key.copyFrom()));
    if (client == null || copy < 0) {
      return false; // a client this generation never saw
    }
    int slot = find(key, client + 1, copy);
    return slot >= 0 ? clients[slot] != 0 : overflow.contains(key);
  }

  /** Adds the key unless it is here; one look-up of its client and one probe when it is new. */
  void add(Pending.Key key) {
    int client = number(key.client()) + 1;
    int copy = key.copyFrom() == null ? 0 : number(key.copyFrom()) + 1;
    int slot = find(key, client, copy);
    if (slot >= 0 ? clients[slot] != 0 : overflow.contains(key)) {
      return;
    }
    if (2 * (size + 1) > clients.length) {
      grow();
      slot = find(key, client, copy);
    }
    put(slot, key, client, copy);
    size++;
  }

  /** Forgets every key, keeping the arrays for the next generation. */
  void clear() {
    Arrays.fill(clients, 0);
    ids.clear();
    numbers.clear();
    overflow.clear();
    size = 0;
  }

  /** Stores a key known to be absent in {@code slot}, or in the overflow if the probe found none. */
  private void put(int slot, Pending.Key key, int client, int copy) {
    if (slot < 0) {
      overflow.add(key);
      return;
    }
    clients[slot] = client;
    copies[slot] = copy;
    sequences[slot] = key.sequence();
  }

  /**
   * The slot holding the identity, or the empty slot where it belongs, whichever the probe meets
   * first; -1 if the probe meets neither within the limit.
   */
  private int find(Pending.Key key, int client, int copy) {
    int mask = clients.length - 1;
    int start = key.hashCode();
    long sequence = key.sequence();
    for (int i = 0; i < probeLimit; i++) {
      int slot = (start + i) & mask;
      if (clients[slot] == 0
          || (clients[slot] == client && sequences[slot] == sequence && copies[slot] == copy)) {
        return slot;
      }
    }
    return -1;
  }

  /** Doubles the table and places every key again, the overflow's too (they may now fit). */
  private void grow() {
    int[] oldClients = clients;
    int[] oldCopies = copies;
    long[] oldSequences = sequences;
    List<Pending.Key> overflowed = new ArrayList<>(overflow);
    overflow.clear();
    clients = new int[oldClients.length * 2];
    copies = new int[clients.length];
    sequences = new long[clients.length];
    for (int i = 0; i < oldClients.length; i++) {
      if (oldClients[i] != 0) {
        ClientId copyFrom = oldCopies[i] == 0 ? null : ids.get(oldCopies[i] - 1);
        place(new Pending.Key(ids.get(oldClients[i] - 1), oldSequences[i], copyFrom));
      }
    }
    overflowed.forEach(this::place);
  }

  /** Stores a key known to be absent (while the table grows). */
  private void place(Pending.Key key) {
    int client = numbers.get(key.client()) + 1;
    int copy = key.copyFrom() == null ? 0 : numbers.get(key.copyFrom()) + 1;
    put(find(key, client, copy), key, client, copy);
  }

  /** The client's number in this generation, given on first sight. */
  private int number(ClientId id) {
    Integer seen = numbers.get(id);
    if (seen != null) {
      return seen;
    }
    numbers.put(id, ids.size());
    ids.add(id);
    return ids.size() - 1;
  }

  private static int plusOne(Integer number) {
    return number == null ? -1 : number + 1;
  }
}
