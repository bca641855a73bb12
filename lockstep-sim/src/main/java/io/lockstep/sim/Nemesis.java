package io.lockstep.sim;

import io.lockstep.journal.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The fault schedule of the fault phase (faults that broke real replicated systems): at random
 * intervals it crashes and later restarts replicas, partitions the network in one of five shapes
 * (one of them cuts clients off from some replicas), starts loss, duplication or slowness bursts,
 * makes clocks jump (within the skew bound, or by hours on up to t replicas), pauses replicas and
 * strikes their disks ({@link DiskNemesis}). Every choice comes from its own seeded stream, so a
 * seed replays the same faults.
 *
 * <p>A partition or burst lasts until its own end or until a newer one of the same family
 * replaces it; {@link #healAll()} ends everything for the liveness phase.
 */
final class Nemesis {
  private final SimOptions options;
  private final FaultRates rates;
  private final Cluster cluster;
  private final Network network;
  private final EventQueue queue;
  private final Trace trace;
  private final SplittableRandom random;
  private final DiskNemesis disks;
  private long faultPhaseEnd;
  private int partitionToken;
  private int burstToken;
  private int injected;

  Nemesis(SimOptions options, Cluster cluster, Network network, EventQueue queue, Trace trace,
      SplittableRandom random) {
    this.options = options;
    this.rates = options.faults();
    this.cluster = cluster;
    this.network = network;
    this.queue = queue;
    this.trace = trace;
    this.random = random;
    this.disks = new DiskNemesis(options, cluster, queue, trace, random);
  }

  /** Schedules faults from now until {@code end} (simulated nanoseconds). */
  void start(long end) {
    faultPhaseEnd = end;
    if (rates.totalWeight() > 0) {
      scheduleNext();
    }
  }

  int injected() {
    return injected;
  }

  private void scheduleNext() {
    long gap = Network.exponential(random, rates.meanIntervalMillis() * 1_000_000);
    if (queue.now() + gap < faultPhaseEnd) {
      queue.after(gap, this::inject);
    }
  }

  private long duration() {
    long mean = rates.meanDurationMillis() * 1_000_000;
    return 1_000_000 + random.nextLong(2 * mean);
  }

  private void inject() {
    injected++;
    int pick = random.nextInt(rates.totalWeight());
    if ((pick -= rates.crashWeight()) < 0) {
      crash();
    } else if ((pick -= rates.partitionWeight()) < 0) {
      partition();
    } else if ((pick -= rates.lossWeight()) < 0) {
      burst(rates.burstLossRate(), options.network().duplicateRate(), 1);
    } else if ((pick -= rates.duplicateWeight()) < 0) {
      burst(options.network().lossRate(), rates.burstDuplicateRate(), 1);
    } else if ((pick -= rates.slowWeight()) < 0) {
      burst(options.network().lossRate(), options.network().duplicateRate(), 20);
    } else if ((pick -= rates.clockJumpWeight()) < 0) {
      clockJump();
    } else if ((pick -= rates.pauseWeight()) < 0) {
      pause();
    } else {
      disks.inject(duration());
    }
    scheduleNext();
  }

  private void crash() {
    List<Integer> running = cluster.running();
    boolean budget = rates.crashBeyondT() || cluster.downOrStalled() < options.t();
    if (running.isEmpty() || !budget) {
      return;
    }
    int victim = running.get(random.nextInt(running.size()));
    if (random.nextBoolean()) {
      cluster.crashDuringNextSync(victim, duration(), 200_000_000);
      return;
    }
    cluster.crash(victim);
    int incarnation = cluster.node(victim).incarnation;
    queue.after(duration(), () -> {
      if (cluster.node(victim).incarnation == incarnation) {
        cluster.restart(victim);
      }
    });
  }

  private void partition() {
    Partition shape = switch (random.nextInt(5)) {
      case 0 -> new Partition.Split(randomSide());
      case 1 -> oneWay();
      case 2 -> isolateLeader();
      case 3 -> bridge();
      default -> new Partition.ClientsCut(randomSide());
    };
    network.partition(shape);
    int token = ++partitionToken;
    queue.after(duration(), () -> {
      if (partitionToken == token) {
        network.partition(new Partition.None());
      }
    });
  }

  /** A random non-empty proper subset of the replicas. */
  private Set<Integer> randomSide() {
    List<Integer> order = shuffled();
    int size = 1 + random.nextInt(Math.max(1, order.size() - 1));
    return new HashSet<>(order.subList(0, size));
  }

  private Partition oneWay() {
    Set<Integer> senders = randomSide();
    Set<Integer> receivers = new HashSet<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (!senders.contains(i)) {
        receivers.add(i);
      }
    }
    return random.nextBoolean()
        ? new Partition.OneWay(senders, receivers)
        : new Partition.OneWay(receivers, senders);
  }

  private Partition isolateLeader() {
    int leader = cluster.leader();
    return leader < 0 ? new Partition.Split(randomSide()) : new Partition.Split(Set.of(leader));
  }

  private Partition bridge() {
    List<Integer> order = shuffled();
    if (order.size() < 3) {
      return new Partition.Split(randomSide());
    }
    int bridge = order.get(0);
    int leftSize = 1 + random.nextInt(order.size() - 2);
    return new Partition.Bridge(new HashSet<>(order.subList(1, 1 + leftSize)), bridge,
        new HashSet<>(order.subList(1 + leftSize, order.size())));
  }

  private List<Integer> shuffled() {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      order.add(i);
    }
    for (int i = order.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      order.set(i, order.set(j, order.get(i)));
    }
    return order;
  }

  private void burst(double loss, double duplicate, long slow) {
    network.setFaults(loss, duplicate, slow);
    int token = ++burstToken;
    queue.after(duration(), () -> {
      if (burstToken == token) {
        network.setFaults(options.network().lossRate(), options.network().duplicateRate(), 1);
      }
    });
  }

  /**
   * Half the clock faults (when the clock model has wrong clocks) set one replica's wall clock
   * wrong by hours, either way; the rest jump within the skew bound. At most t replicas ever
   * have a wrong clock, and a wrong clock stays wrong (it may flip sides) for the rest of the
   * run, the liveness phase included: t wrong clocks is within the fault model, like t crashes.
   */
  private void clockJump() {
    int victim = random.nextInt(cluster.size());
    SimClock clock = cluster.node(victim).clock;
    long wrongBy = options.clocks().wrongClockMillis();
    if (wrongBy > 0 && random.nextBoolean() && (clock.wrong() || wrongClocks() < options.t())) {
      long millis = random.nextBoolean() ? wrongBy : -wrongBy;
      clock.setWrong(queue.now(), millis);
      trace.record(queue.now(), "clockwrong " + victim + " " + millis + "ms");
      trace.event(queue.now(), victim, Event.of(Event.Kind.CLOCK_JUMP, "wall clock wrong by "
          + millis + " ms"));
      return;
    }
    long delta = clock.jump(queue.now());
    trace.record(queue.now(), "clockjump " + victim + " " + delta + "ms");
    trace.event(queue.now(), victim, Event.of(Event.Kind.CLOCK_JUMP, "jumped " + delta + " ms"));
  }

  private int wrongClocks() {
    int wrong = 0;
    for (int i = 0; i < cluster.size(); i++) {
      wrong += cluster.node(i).clock.wrong() ? 1 : 0;
    }
    return wrong;
  }

  private void pause() {
    List<Integer> running = cluster.running();
    if (!running.isEmpty() && cluster.pauseFits()) {
      int victim = running.get(random.nextInt(running.size()));
      cluster.pause(victim, queue.now() + duration());
    }
  }

  /** Liveness phase: heal partitions and bursts, resume paused and restart crashed replicas. */
  void healAll() {
    partitionToken++;
    burstToken++;
    faultPhaseEnd = queue.now();
    network.heal();
    cluster.disarmCrashes();
    cluster.repairDisks();
    cluster.resumeAll();
    for (int i = 0; i < cluster.size(); i++) {
      cluster.restart(i);
    }
    trace.record(queue.now(), "healed");
  }
}
