package io.lockstep.sim;

import io.lockstep.configuration.SystemCommand;
import io.lockstep.configuration.SystemCommands;
import io.lockstep.machine.ClientId;
import io.lockstep.order.LogEntry;
import io.lockstep.order.Ready;
import io.lockstep.order.StorageWrite;
import io.lockstep.replica.Effects;
import io.lockstep.replica.Replica;
import io.lockstep.request.Reply;
import io.lockstep.request.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The simulated administrator (paper §7, S20): during the fault phase it orders the plan's
 * configuration changes one at a time as {@link SystemCommands#ADMIN}, removing clients that are
 * working (a random client's current identity), readmitting some removed identities, and
 * adding and removing output devices. Like a
 * client it resends the same request (same sequence number, so it runs once) to another replica
 * when no reply comes, and follows redirects, until a replica answers; the answers are the
 * {@link Receipt}s the final checks hold the replicas to.
 */
final class ConfigurationAdmin {
  /** What a change got: its stated position if it was ordered, its refusal otherwise. */
  record Receipt(SystemCommand command, Reply reply) {
    boolean ordered() {
      return reply.status() == Reply.Status.OK;
    }

    long at() {
      return SystemCommands.receiptPosition(reply.value());
    }
  }

  private static final int DEVICES = 3;

  private final ConfigurationPlan plan;
  private final Clients clients;
  private final SplittableRandom random;
  private final List<Receipt> receipts = new ArrayList<>();
  /** Identities removed and not readmitted, sorted so that a seed picks the same one. */
  private final TreeSet<ClientId> removed = new TreeSet<>();
  private final boolean[] deviceRemoved = new boolean[DEVICES];
  private long faultEnd;
  private int clientRemovals;
  private int readmissions;
  private int deviceChanges;
  private long sequence;
  private SystemCommand command;
  private Request request;
  private int target;
  private int attempt;

  ConfigurationAdmin(ConfigurationPlan plan, Clients clients, SplittableRandom random) {
    this.plan = plan;
    this.clients = clients;
    this.random = random;
  }

  /** Orders changes until {@code end} (simulated nanoseconds) or the plan is done. */
  void start(long end) {
    faultEnd = end;
    scheduleNext();
  }

  /** True when no change is waiting for its receipt. */
  boolean settled() {
    return request == null;
  }

  List<Receipt> receipts() {
    return List.copyOf(receipts);
  }

  private void scheduleNext() {
    clients.after(Network.exponential(random, plan.gapMillis() * 1_000_000), this::issue);
  }

  private void issue() {
    boolean clientsLeft = clientRemovals < plan.clientRemovals();
    boolean devicesLeft = deviceChanges < plan.deviceChanges();
    if (clients.now() >= faultEnd || (!clientsLeft && !devicesLeft)) {
      return;
    }
    if (!removed.isEmpty() && readmissions < plan.clientRemovals() && random.nextInt(4) == 0) {
      // Readmit a removed identity; its client moved on to a new one, so only stray retries
      // of its old requests can still arrive, and from the stated position on they run again.
      ClientId back = new ArrayList<>(removed).get(random.nextInt(removed.size()));
      removed.remove(back);
      readmissions++;
      command = new SystemCommand.AddClient(back, 0);
    } else if (clientsLeft && (!devicesLeft || random.nextBoolean())) {
      ClientId victim = clients.currentId(random.nextInt(clients.count()));
      if (!removed.add(victim)) {
        scheduleNext();
        return;
      }
      clientRemovals++;
      command = new SystemCommand.RemoveClient(victim, 0);
    } else {
      int device = random.nextInt(DEVICES);
      String name = "d" + device;
      deviceRemoved[device] = !deviceRemoved[device];
      deviceChanges++;
      command = deviceRemoved[device]
          ? new SystemCommand.RemoveDevice(name, 0) : new SystemCommand.AddDevice(name, 0);
    }
    request = Request.command(SystemCommands.ADMIN, ++sequence, SystemCommands.encode(command));
    clients.trace("admin orders " + command + " as #" + sequence);
    send(random.nextInt(clients.replicas()));
  }

  private void send(int replica) {
    attempt++;
    target = replica;
    clients.sendAdmin(replica, request);
    int armed = attempt;
    clients.after(clients.requestTimeout(), () -> {
      if (request != null && armed == attempt) {
        send((target + 1 + random.nextInt(Math.max(1, clients.replicas() - 1)))
            % clients.replicas());
      }
    });
  }

  /** A replica answered; the first answer to the current change is its receipt. */
  void onReply(int replica, Reply reply) {
    if (request == null || reply.sequence() != request.sequence()) {
      return;
    }
    receipts.add(new Receipt(command, reply));
    clients.trace("admin receipt #" + reply.sequence() + " " + reply.status() + " "
        + (reply.status() == Reply.Status.OK ? "at " + SystemCommands.receiptPosition(
            reply.value()) : reply.reason()) + " from " + replica);
    request = null;
    command = null;
    attempt++;
    scheduleNext();
  }

  /**
   * The wrong rule of {@link ConfigurationPlan#atAppend()}: each change acts on a replica as
   * soon as one of its Readys appends it, whatever that replica has applied.
   */
  static void applyAtAppend(Replica replica, Effects effects) {
    for (StorageWrite write : effects.writes()) {
      if (write instanceof StorageWrite.Append append) {
        for (LogEntry entry : append.entries()) {
          if (entry.request() != null) {  // null: a protocol no-op
            replica.executor().takeEffectAtAppendForTest(entry.request());
          }
        }
      }
    }
  }

  /** Not the leader (or busy): the same request again at the hint, or elsewhere, soon. */
  void onRedirect(int replica, Ready.Redirect redirect) {
    if (request == null || !request.equals(redirect.request()) || replica != target) {
      return;
    }
    int hint = redirect.leaderHint();
    int next = hint >= 0 && hint < clients.replicas() && !redirect.busy() ? hint : replica;
    int armed = ++attempt;
    clients.after((5 + random.nextInt(20)) * 1_000_000L, () -> {
      if (request != null && armed == attempt) {
        send(next);
      }
    });
  }
}
