package io.lockstep.sim;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The disk faults of the fault phase (lost writes, corruption, EIO, a full disk), each on one
 * running replica and each modelled by what the real storage ({@code lockstep-storage}) does about
 * it:
 *
 * <ul>
 *   <li>a bit flip in a log record or a snapshot file at rest: checksums find it at the next
 *       restart, the valid prefix is kept, and the replica restarts in repair mode: it takes
 *       what it lost from its peers before it votes or acknowledges again;
 *   <li>a bit flip in the newest hard state: the vote it recorded may be lost, so the replica
 *       restarts in repair mode and votes again only after a census of its peers' terms (see
 *       {@link SimDisk#damageHardState});
 *   <li>EIO on write, or a full disk: the next fsync fails and the replica stops at once
 *       (fail-stop, nothing of that fsync acknowledged; what reached the file is a torn tail);
 *       a full disk also refuses restarts until it is freed;
 *   <li>EIO on read: the replica's recovery cannot read its log, so restarts fail until the
 *       disk is fixed;
 *   <li>a lost write: an fsync reported done that did not persist; see {@link SimDisk} for why
 *       only a loss that recovery detects is kept, which again makes the replica repair;
 *   <li>a wiped data directory, restarted without a {@code rejoin-empty} file: storage reports
 *       a first start, and the protocol must learn from its peers that it is not one.
 * </ul>
 *
 * <p>Damage is given to at most t replicas at a time (counting those still repairing), so a
 * majority of intact replicas is always left to repair from.
 */
final class DiskNemesis {
  private static final String[] KINDS = {"eio-write", "eio-write", "full", "full",
      "bitflip-hardstate", "eio-read", "eio-read", "bitflip-log", "bitflip-snapshot",
      "lost-write", "wipe"};

  private final SimOptions options;
  private final Cluster cluster;
  private final EventQueue queue;
  private final Trace trace;
  private final SplittableRandom random;

  DiskNemesis(SimOptions options, Cluster cluster, EventQueue queue, Trace trace,
      SplittableRandom random) {
    this.options = options;
    this.cluster = cluster;
    this.queue = queue;
    this.trace = trace;
    this.random = random;
  }

  /**
   * Strikes one replica with a random disk fault lasting about {@code duration} ns; damage to
   * stored data only while fewer than t replicas are damaged or repairing.
   */
  void inject(long duration) {
    List<Integer> running = cluster.running();
    boolean budget = options.faults().crashBeyondT() || cluster.down() < options.t();
    if (running.isEmpty() || !budget) {
      return;
    }
    int victim = running.get(random.nextInt(running.size()));
    String kind = KINDS[random.nextInt(KINDS.length)];
    boolean lasting = kind.startsWith("bitflip") || kind.equals("lost-write")
        || kind.equals("wipe");
    if (lasting && cluster.damagedOrArmed() >= options.t()) {
      kind = "eio-write";
    }
    trace.record(queue.now(), "diskfault " + victim + " " + kind);
    long now = queue.now();
    switch (kind) {
      case "eio-write" -> cluster.crashDuringNextSync(victim, duration, 200_000_000);
      case "full" -> {
        cluster.diskUnavailable(victim, now + duration, "disk full");
        cluster.crashDuringNextSync(victim, duration / 2, 200_000_000);
      }
      case "eio-read" -> {
        cluster.crash(victim);
        cluster.diskUnavailable(victim, now + duration, "EIO reading its log");
        restartLater(victim, duration / 2);
      }
      case "bitflip-log" -> {
        cluster.damage(victim, "a bit flip in a log record", false);
        restartLater(victim, duration);
      }
      case "bitflip-hardstate" -> {
        cluster.damageHardState(victim);
        restartLater(victim, duration);
      }
      case "bitflip-snapshot" -> {
        boolean hasSnapshot = cluster.node(victim).disk.recovered().snapshot() != null;
        cluster.damage(victim, hasSnapshot ? "a bit flip in its snapshot file"
            : "a bit flip in a log record (no snapshot yet)", hasSnapshot);
        restartLater(victim, duration);
      }
      case "wipe" -> {
        cluster.wipe(victim);
        restartLater(victim, duration);
      }
      default -> armLostWrite(victim, duration);
    }
  }

  private void restartLater(int victim, long delay) {
    int incarnation = cluster.node(victim).incarnation;
    queue.after(delay, () -> {
      if (cluster.node(victim).incarnation == incarnation) {
        cluster.restart(victim);
      }
    });
  }

  /** Arms a lost write, then crashes the replica later so that a restart finds it. */
  private void armLostWrite(int victim, long duration) {
    Cluster.Node node = cluster.node(victim);
    node.disk.armLostWrite();
    node.lostWriteArmed = true;
    int incarnation = node.incarnation;
    queue.after(duration, () -> {
      boolean budget = options.faults().crashBeyondT() || cluster.down() < options.t();
      if (node.up && node.incarnation == incarnation && budget) {
        cluster.crash(victim);
        restartLater(victim, duration);
      }
    });
  }
}
