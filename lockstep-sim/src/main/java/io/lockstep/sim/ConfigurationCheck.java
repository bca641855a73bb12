package io.lockstep.sim;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.request.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks the configuration's rule (paper §7, S20) over a run: every replica refuses a removed
 * client at exactly the stated position of its removal — every reply it made to that client's
 * requests from that position up to a readmission's stated position is the removal refusal
 * naming that position, and no other reply is — and every replica that applied past a change
 * holds it. Replies are seen as each
 * replica produces them, before the network can lose them, so a replica that got it wrong is
 * caught even if its reply never reached a client.
 */
final class ConfigurationCheck {
  private record Seen(int replica, long position, Reply.Status status, String reason) {}

  private final Map<ClientId, List<Seen>> byClient = new HashMap<>();
  private int refusals;

  /** A replica produced {@code reply}. */
  void onReply(int replica, Reply reply) {
    if (reply.client().equals(SystemCommands.ADMIN)) {
      return;
    }
    if (ClusterConfiguration.removedClient(reply.reason())) {
      refusals++;
    }
    byClient.computeIfAbsent(reply.client(), c -> new ArrayList<>())
        .add(new Seen(replica, reply.position(), reply.status(), reply.reason()));
  }

  /** How many removal refusals replicas made (a run that made none checked little). */
  int refusals() {
    return refusals;
  }

  /** The first violation, or null. */
  String verify(List<ConfigurationAdmin.Receipt> receipts, Cluster cluster) {
    String replies = verifyReplies(receipts);
    if (replies != null) {
      return replies;
    }
    for (int id = 0; id < cluster.size(); id++) {
      Cluster.Node node = cluster.node(id);
      if (node.up) {
        String wrong = checkHeld(id, node.replica.appliedPosition(),
            node.replica.executor().configuration(), receipts);
        if (wrong != null) {
          return wrong;
        }
      }
    }
    return null;
  }

  /** The first reply that breaks the removal rule, or null. */
  String verifyReplies(List<ConfigurationAdmin.Receipt> receipts) {
    Map<ClientId, List<Window>> windows = windows(receipts);
    for (Map.Entry<ClientId, List<Seen>> e : byClient.entrySet()) {
      String wrong = checkReplies(e.getKey(),
          windows.getOrDefault(e.getKey(), List.of()), e.getValue());
      if (wrong != null) {
        return wrong;
      }
    }
    return null;
  }

  /** Positions [from, to) in which a client stood removed: from its removal to a readmission. */
  private record Window(long from, long to) {
    boolean holds(long position) {
      return from <= position && position < to;
    }
  }

  /** Changes take effect in the order they were ordered, so receipts give windows in order. */
  private static Map<ClientId, List<Window>> windows(List<ConfigurationAdmin.Receipt> receipts) {
    Map<ClientId, List<Window>> windows = new HashMap<>();
    for (ConfigurationAdmin.Receipt r : receipts) {
      if (r.ordered() && r.command() instanceof SystemCommand.RemoveClient c) {
        windows.computeIfAbsent(c.client(), k -> new ArrayList<>())
            .add(new Window(r.at(), Long.MAX_VALUE));
      } else if (r.ordered() && r.command() instanceof SystemCommand.AddClient c
          && windows.containsKey(c.client())) {
        List<Window> list = windows.get(c.client());
        Window open = list.remove(list.size() - 1);
        list.add(new Window(open.from(), r.at()));
      }
    }
    return windows;
  }

  private static String checkReplies(ClientId client, List<Window> windows, List<Seen> seen) {
    for (Seen s : seen) {
      Window in = windows.stream().filter(w -> w.holds(s.position())).findFirst().orElse(null);
      if (in == null && ClusterConfiguration.removedClient(s.reason())) {
        return "configuration: replica " + s.replica() + " refused " + client + " at position "
            + s.position() + " as removed (\"" + s.reason() + "\"), but no removal of it was in"
            + " force there";
      }
      if (in != null
          && !s.reason().equals(ClusterConfiguration.removedClientReason(client, in.from()))) {
        return "configuration: replica " + s.replica() + " answered " + client + " at position "
            + s.position() + " with " + s.status() + " \"" + s.reason() + "\", but " + client
            + " was removed at position " + in.from();
      }
    }
    return null;
  }

  /** A replica that applied past a change's stated position holds it; changes in order. */
  private static String checkHeld(int id, long applied, ClusterConfiguration held,
      List<ConfigurationAdmin.Receipt> receipts) {
    Map<ClientId, Long> clients = new TreeMap<>();
    Map<String, Long> devices = new TreeMap<>();
    for (ConfigurationAdmin.Receipt r : receipts) {
      if (!r.ordered() || r.at() > applied) {
        continue;
      }
      if (r.command() instanceof SystemCommand.RemoveClient c) {
        clients.put(c.client(), r.at());
      } else if (r.command() instanceof SystemCommand.AddClient c) {
        clients.remove(c.client());
      } else if (r.command() instanceof SystemCommand.RemoveDevice d) {
        devices.put(d.device(), r.at());
      } else if (r.command() instanceof SystemCommand.AddDevice d) {
        devices.remove(d.device());
      }
    }
    if (!Objects.equals(clients, held.removedClients())
        || !Objects.equals(devices, held.removedDevices())) {
      return "configuration: replica " + id + " applied up to " + applied + " and holds removed"
          + " clients " + held.removedClients() + " and devices " + held.removedDevices()
          + ", but the receipts say " + clients + " and " + devices;
    }
    return null;
  }
}
