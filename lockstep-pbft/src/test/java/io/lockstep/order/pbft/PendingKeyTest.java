package io.lockstep.order.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A request's identity ({@link Pending.Key}) keys maps of thousands, so lookups must not depend
 * on how clients name themselves. The record's default hash, 961·h(client) + 31·sequence,
 * collides whenever two ids' hashes differ by d and the sequences by -31·d: numbered ids (whose
 * hashes differ by 1 per last digit) put (client-1, s) on (client-2, s - 31), and so on.
 */
class PendingKeyTest {
  private static List<ClientId> numbered(int count) {
    List<ClientId> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(ClientId.of("client-" + i));
    }
    return ids;
  }

  private static int distinctHashes(List<ClientId> clients, long sequences) {
    Set<Integer> hashes = new HashSet<>();
    for (ClientId client : clients) {
      for (long s = 1; s <= sequences; s++) {
        hashes.add(new Pending.Key(client, s, null).hashCode());
      }
    }
    return hashes.size();
  }

  @Test
  void numberedClientsRecentRequestsHashApart() {
    // A window's worth of recent requests (256 sequence numbers × 16 per batch = 4,096) from 32
    // closed-loop clients: 128 each. The default hash gave 1,380 distinct values for these.
    assertThat(distinctHashes(numbered(32), 128)).isGreaterThanOrEqualTo(4_090);
    // And 32 clients' 4,096 each (131,072 keys): the default gave 10,424.
    assertThat(distinctHashes(numbered(32), 4_096)).isGreaterThan(131_000);
  }

  @Test
  void copiesFromDifferentSendersAreDifferentKeysThatHashApart() {
    ClientId client = ClientId.of("replicated");
    Set<Integer> hashes = new HashSet<>();
    for (ClientId from : numbered(64)) {
      hashes.add(new Pending.Key(client, 7, from).hashCode());
    }
    hashes.add(new Pending.Key(client, 7, null).hashCode());
    assertThat(hashes).hasSize(65);
  }

  /**
   * Ids a faulty client can pick: "Aa" and "BB" have one String hash, so every string of n such
   * pairs does too, and no mixing of the hash tells their keys apart. A HashMap bucket full of
   * them becomes a tree, searched in logarithmic time only if the keys are ordered, and the
   * order must say "equal" exactly for equal keys.
   */
  @Test
  void keysOfClientsWithEqualHashesAreTotallyOrderedConsistentlyWithEquals() {
    List<ClientId> forged = new ArrayList<>();
    for (int bits = 0; bits < 32; bits++) {
      StringBuilder id = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        id.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      forged.add(ClientId.of(id.toString()));
    }
    assertThat(forged.stream().map(c -> c.value().hashCode()).distinct()).hasSize(1);
    List<Pending.Key> keys = new ArrayList<>();
    for (ClientId client : forged) {
      for (long s = 1; s <= 4; s++) {
        keys.add(new Pending.Key(client, s, null));
        keys.add(new Pending.Key(client, s, ClientId.of("copy")));
      }
    }
    assertThat(keys.get(0)).isInstanceOf(Comparable.class);
    for (Pending.Key a : keys) {
      for (Pending.Key b : keys) {
        int ab = compare(a, b);
        assertThat(ab == 0).as("%s vs %s", a, b).isEqualTo(a.equals(b));
        assertThat(Integer.signum(ab)).isEqualTo(-Integer.signum(compare(b, a)));
        Pending.Key copy = new Pending.Key(a.client(), a.sequence(), a.copyFrom());
        assertThat(copy).isEqualTo(a).hasSameHashCodeAs(a);
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Pending.Key a, Pending.Key b) {
    return ((Comparable) (Object) a).compareTo(b); // compiles against an unordered key too
  }
}
