package io.lockstep.sim;

import io.lockstep.executor.CapturedSnapshot;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Input;
import io.lockstep.order.MessageInterceptor;
import io.lockstep.order.Ready;
import io.lockstep.order.Role;
import io.lockstep.order.Status;
import io.lockstep.replica.Checkpoint;
import io.lockstep.replica.Effects;
import io.lockstep.replica.QueryResult;
import io.lockstep.replica.Replica;
import io.lockstep.replica.Step;
import io.lockstep.request.Reply;
import io.lockstep.sim.Cluster.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The simulated replicas' loop, modelling the runtime contract exactly (Ready, StorageWrite):
 * inputs queued while the loop is busy are stepped as one batch; after each step the replica's
 * writes go to its disk, and its messages and client outputs leave only once those writes, and
 * every earlier one, are durable (or earlier, where the protocol allows it, as the server's loop
 * does). Separate from {@link Cluster}, which owns the replica slots and their lives (boot,
 * crash, restart, pause, damage): this class is only what one running incarnation does with its
 * inputs and effects, and asks the cluster about pauses, repairs and armed crashes.
 */
final class SimLoop {
  private final Cluster cluster;
  private final SimOptions options;
  private final CoordinationFactory factory;
  private final EventQueue queue;
  private final Trace trace;
  private final Monitor monitor;
  /** Where in an fsync an armed crash strikes; the cluster's own stream, so seeds replay. */
  private final SplittableRandom crashPoints;
  private Network network;
  private ClientRouter router;

  SimLoop(Cluster cluster, SimOptions options, CoordinationFactory factory, EventQueue queue,
      Trace trace, Monitor monitor, SplittableRandom crashPoints) {
    this.cluster = cluster;
    this.options = options;
    this.factory = factory;
    this.queue = queue;
    this.trace = trace;
    this.monitor = monitor;
    this.crashPoints = crashPoints;
  }

  /** Connects the loop to the network and clients (they are built after the cluster). */
  void connect(Network net, ClientRouter clients) {
    this.network = net;
    this.router = clients;
  }

  /**
   * Queues an input for the replica's loop. As in the server, the loop takes everything queued
   * when it is free and steps it as one batch ({@link Replica#stepAll}): one Ready, one fsync,
   * one AppendEntries per follower for the lot.
   */
  void submit(Node node, Step input) {
    node.inbox.add(input);
    if (node.flushScheduled) {
      return;
    }
    node.flushScheduled = true;
    int incarnation = node.incarnation;
    queue.at(Math.max(queue.now(), node.busyUntil), () -> {
      if (node.up && node.incarnation == incarnation) {
        whenRunning(node, incarnation, () -> flush(node));
      }
    });
  }

  void flush(Node node) {
    if (node.inbox.isEmpty()) {
      node.flushScheduled = false; // a flush planned for a pause's end ran early (resume)
      return;
    }
    List<Step> batch = List.copyOf(node.inbox);
    node.inbox.clear();
    node.flushScheduled = false;
    node.busyUntil = queue.now() + options.stepMicros() * 1_000L;
    if (batch.size() > 1) {
      trace.record(queue.now(), "batch " + node.id + " inputs=" + batch.size());
    }
    step(node, () -> node.replica.stepAll(batch));
  }

  private void step(Node node, Supplier<Effects> action) {
    Effects effects;
    try {
      effects = action.get();
    } catch (RuntimeException e) {
      throw SimFailure.thrownBy(node.id, e);
    }
    if (options.configuration().atAppend()) {
      ConfigurationAdmin.applyAtAppend(node.replica, effects);
    }
    // PBFT computes primaries over the configuration ordering a window, so leaders are unique
    // per view within one configuration (see Monitor.onStatus). Only a leader's status is
    // checked, so only a leader's configuration is asked for: PBFT builds it anew on each call,
    // which after every step of every replica was a tenth of a PBFT run's CPU.
    Status status = node.replica.status();
    monitor.onStatus(node.id, status, factory.failureModel() == FailureModel.BYZANTINE
        && status.role() == Role.LEADER ? node.protocol.configuration() : null);
    cluster.noteRepaired(node);
    if (cluster.checked(node)) {
      for (CapturedSnapshot captured : effects.checkpoints()) {
        Checkpoint checkpoint = Checkpoint.of(captured); // at once: simulated time is free
        monitor.onCheckpoint(node.id, checkpoint.position(), checkpoint.digest());
      }
    }
    effects.entryReads().forEach(read -> readBack(node, read));
    if (effects.writes().isEmpty() && node.disk.idle()) {
      release(node, effects);
      return;
    }
    Effects afterSync = releaseEarly(node, effects);
    SimDisk.Sync sync = node.disk.submit(effects.writes(), queue.now());
    int incarnation = node.incarnation;
    springArmedCrash(node, sync, effects);
    queue.at(sync.completesAt(), () -> {
      if (node.up && node.incarnation == incarnation && node.disk.complete(sync)) {
        whenRunning(node, incarnation, () -> {
          release(node, afterSync);
          reportDurable(node, effects);
        });
      }
    });
  }

  /**
   * Serves a read of stored entries as the server's log thread does: after the step's writes
   * (which the read sees, synced or not), taking one fsync's minimum latency, answered to the
   * same incarnation only (a crash loses it, as the runtime's reads die with the process). It
   * fails with EIO while the disk cannot be read (a disk fault) or at the disk's own error
   * rate; it never returns entries the disk does not hold.
   */
  private void readBack(Node node, Ready.EntriesWanted read) {
    int incarnation = node.incarnation;
    queue.after(options.disk().fsyncMinMicros() * 1_000L, () -> {
      if (!node.up || node.incarnation != incarnation) {
        return;
      }
      boolean fails = queue.now() < node.diskUnavailableUntil || node.disk.readFails();
      trace.record(queue.now(), "log read " + node.id + " from=" + read.from() + " to="
          + read.to() + (fails ? " EIO" : ""));
      submit(node, new Step.EntriesRead(fails
          ? Input.EntriesRead.failed(read.readId(), "Input/output error (simulated)")
          : new Input.EntriesRead(read.readId(), node.disk.read(read.from(), read.to(),
              read.maxBytes()), null)));
    });
  }

  /**
   * Releases at once what the protocol lets leave before its writes are durable, exactly as the
   * server's loop does: the messages it names (Raft §10.2.1: a leader's AppendEntries overlap
   * its own fsync), and the client answers if {@link Replica#mayAnswerBeforeDurable} says so;
   * returns the effects still to release after the fsync.
   */
  private Effects releaseEarly(Node node, Effects effects) {
    List<Ready.Outbound> later = new ArrayList<>();
    for (Ready.Outbound outbound : effects.messages()) {
      if (node.replica.mayLeaveBeforeDurable(outbound.message())) {
        send(node, outbound);
      } else {
        later.add(outbound);
      }
    }
    if (node.replica.mayAnswerBeforeDurable()) {
      answer(node, effects);
      return new Effects(effects.writes(), later, List.of(), List.of(), List.of(),
          effects.checkpoints());
    }
    return later.size() == effects.messages().size() ? effects : new Effects(effects.writes(),
        later, effects.replies(), effects.reads(), effects.redirects(), effects.checkpoints());
  }

  /** Tells the replica its log is durable through the last entry these writes appended. */
  private void reportDurable(Node node, Effects effects) {
    Replica.lastAppended(effects.writes()).ifPresent(p -> submit(node, p));
  }

  private void springArmedCrash(Node node, SimDisk.Sync sync, Effects effects) {
    long downFor = node.crashDuringSyncThenDownFor;
    if (downFor == 0 || effects.writes().isEmpty() || sync.completesAt() <= queue.now()) {
      return;
    }
    node.crashDuringSyncThenDownFor = 0;
    int incarnation = node.incarnation;
    long at = queue.now() + crashPoints.nextLong(sync.completesAt() - queue.now());
    queue.at(at, () -> {
      if (node.up && node.incarnation == incarnation) {
        cluster.crashAndRestartLater(node, downFor);
      }
    });
  }

  /** Runs {@code action} now, or when the replica's pause ends if it is paused. */
  private void whenRunning(Node node, int incarnation, Runnable action) {
    if (!cluster.paused(node)) {
      action.run();
      return;
    }
    queue.at(node.pausedUntil, () -> {
      if (node.up && node.incarnation == incarnation) {
        whenRunning(node, incarnation, action);
      }
    });
  }

  /** The writes are durable: messages and client outputs may leave (Ready's order). */
  private void release(Node node, Effects effects) {
    for (Ready.Outbound outbound : effects.messages()) {
      send(node, outbound);
    }
    answer(node, effects);
  }

  /** Client outputs: replies, read results and redirects. */
  private void answer(Node node, Effects effects) {
    MessageInterceptor liar = node.interceptor;
    for (Reply reply : effects.replies()) {
      router.reply(node.id, liar == null ? reply : liar.reply(reply, node.interceptorRandom));
    }
    for (QueryResult result : effects.reads()) {
      router.read(node.id, liar == null ? result : liar.read(result, node.interceptorRandom));
    }
    for (Ready.Redirect redirect : effects.redirects()) {
      router.redirect(node.id, redirect);
    }
  }

  /** Sends one message, through the replica's interceptor if it misbehaves. */
  private void send(Node node, Ready.Outbound outbound) {
    if (node.interceptor == null) {
      network.send(node.id, outbound.to(), outbound.message());
      return;
    }
    for (Ready.Outbound sent : node.interceptor.intercept(node.id, outbound,
        node.interceptorRandom)) {
      long hold = node.interceptor.holdNanos(sent);
      if (hold > 0) {
        queue.after(hold, () -> network.send(node.id, sent.to(), sent.message()));
      } else {
        network.send(node.id, sent.to(), sent.message());
      }
    }
  }
}
