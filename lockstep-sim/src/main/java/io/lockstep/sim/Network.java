package io.lockstep.sim;

import io.lockstep.journal.Event;
import io.lockstep.order.ProtocolMessage;
import java.util.SplittableRandom;

/**
 * The simulated network between replicas: delay, loss, duplication, reordering (from random delays)
 * and partitions of every kind in {@link Partition}, the network faults that broke real replicated
 * systems.
 *
 * <p>A partition is checked both when a message is sent and when it would arrive, so a message
 * in flight when a partition starts is lost like one sent into it. Whether the destination is up
 * is the receiver's business ({@link Receiver}); the network only moves messages.
 */
final class Network {
  /** Where delivered messages go. */
  @FunctionalInterface
  interface Receiver {
    void deliver(int from, int to, ProtocolMessage message);
  }

  private final NetworkModel model;
  private final SplittableRandom random;
  private final EventQueue queue;
  private final Trace trace;
  private final Receiver receiver;
  private Partition partition = new Partition.None();
  private double lossRate;
  private double duplicateRate;
  private long slowFactor = 1;
  private long sent;
  private long dropped;
  private long delivered;

  Network(NetworkModel model, SplittableRandom random, EventQueue queue, Trace trace,
      Receiver receiver) {
    this.model = model;
    this.random = random;
    this.queue = queue;
    this.trace = trace;
    this.receiver = receiver;
    this.lossRate = model.lossRate();
    this.duplicateRate = model.duplicateRate();
  }

  /** Sends {@code message} from replica {@code from} to replica {@code to}. */
  void send(int from, int to, ProtocolMessage message) {
    long id = sent++;
    trace.record(queue.now(), "send " + id + " " + from + ">" + to + " " + Canon.of(message));
    if (trace.journaling()) {
      trace.event(queue.now(), from, Event.message(Event.Kind.SEND, to, id, type(message)));
    }
    if (partition.blocks(from, to)) {
      drop(id, from, to, "partition");
      return;
    }
    if (random.nextDouble() < lossRate) {
      drop(id, from, to, "loss");
      return;
    }
    schedule(id, from, to, message);
    if (random.nextDouble() < duplicateRate) {
      trace.record(queue.now(), "dup " + id);
      schedule(id, from, to, message);
    }
  }

  private void schedule(long id, int from, int to, ProtocolMessage message) {
    queue.after(delay(), () -> arrive(id, from, to, message));
  }

  private void arrive(long id, int from, int to, ProtocolMessage message) {
    if (partition.blocks(from, to)) {
      drop(id, from, to, "partition");
      return;
    }
    delivered++;
    trace.record(queue.now(), "recv " + id);
    if (trace.journaling()) {
      trace.event(queue.now(), to, Event.message(Event.Kind.RECEIVE, from, id, type(message)));
    }
    receiver.deliver(from, to, message);
  }

  private void drop(long id, int from, int to, String why) {
    dropped++;
    trace.record(queue.now(), "drop " + id + " " + why);
    trace.event(queue.now(), from, Event.message(Event.Kind.DROP, to, id, "network " + why));
  }

  /** A message's type as the journal names it. */
  static String type(ProtocolMessage message) {
    return message.getClass().getSimpleName();
  }

  /** One-way delay of one message, in nanoseconds. */
  long delay() {
    long micros = model.minDelayMicros() + exponential(model.meanTailMicros() * slowFactor);
    return micros * 1_000;
  }

  /** True when a client message should be lost now to a loss burst (partitions: see below). */
  boolean clientMessageLost() {
    return random.nextDouble() < lossRate / 2;
  }

  /** True when the current partition separates clients from {@code replica}. */
  boolean clientsCutFrom(int replica) {
    return partition.cutsClientsFrom(replica);
  }

  private long exponential(long mean) {
    return exponential(random, mean);
  }

  /** An exponentially distributed draw of mean {@code mean} (0 when the mean is 0). */
  static long exponential(SplittableRandom random, long mean) {
    if (mean == 0) {
      return 0;
    }
    return (long) (-Math.log(1.0 - random.nextDouble()) * mean);
  }

  void partition(Partition next) {
    partition = next;
    trace.record(queue.now(), "partition " + next.describe());
    trace.event(queue.now(), -1, Event.of(Event.Kind.PARTITION, next.describe()));
  }

  Partition partition() {
    return partition;
  }

  /** Raises loss and duplication probabilities and the delay tail (a burst), or resets them. */
  void setFaults(double loss, double duplicate, long slow) {
    lossRate = loss;
    duplicateRate = duplicate;
    slowFactor = slow;
    trace.record(queue.now(), "netfaults loss=" + loss + " dup=" + duplicate + " slow=" + slow);
    trace.event(queue.now(), -1, Event.of(Event.Kind.PARTITION, "loss=" + loss + " dup="
        + duplicate + " slow=" + slow));
  }

  /** Ends every partition and burst. */
  void heal() {
    partition(new Partition.None());
    setFaults(model.lossRate(), model.duplicateRate(), 1);
  }

  long sent() {
    return sent;
  }

  long dropped() {
    return dropped;
  }

  long delivered() {
    return delivered;
  }
}
