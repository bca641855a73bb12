package io.lockstep.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.lockstep.storage.GroupCommitLog;
import io.lockstep.storage.StableStorage;
import java.util.concurrent.TimeUnit;

/**
 * The replica's Micrometer meters, exported in Prometheus text format: commit
 * latency, group-commit batch sizes and fsync time, queue depths, elections and leader changes,
 * role, term, commit and applied positions; divergence between replicas' state digests. It also
 * keeps the few minutes of history the live cluster page draws ({@link LiveHistory}).
 */
public final class ServerMetrics {
  /** Budget tag: bytes of client questions queued for the loop. */
  public static final String LOOP_BYTES = "loop-bytes";
  /** Budget tag: bytes of one client-port connection's unanswered questions. */
  public static final String CLIENT_CONNECTION_BYTES = "client-connection-bytes";
  /** Budget tag: questions a follower forwarded that the leader did not answer in time. */
  public static final String FORWARD_EXPIRED = "forward-expired";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer commitLatency;
  private final Timer durableLatency;
  private final DistributionSummary batchEntries;
  private final Counter elections;
  private final Counter leaderChanges;
  private final Counter busy;
  private final Counter peerDropped;
  private final java.util.Map<String, Counter> relays = new java.util.concurrent.ConcurrentHashMap<>();
  /** Distinct protocol drop reasons shown as meters ({@link #protocolDrops(java.util.Map)}). */
  static final int MAX_DROP_REASONS = 64;
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> protocolDrops =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter badFrames;
  private final Timer snapshotWrite;
  private final DistributionSummary snapshotBytes;
  private final java.util.Map<String, Counter> refusals = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, Counter> adminRefusals =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter repairs;
  private final java.util.Map<String, Counter> signatureClaims =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Counter configuratorSteps;
  /** Where the protocol's own reports of broken assumptions go (loop thread). */
  private volatile AssumptionWatch assumptions;
  private final Timer readLatency;
  /** The live page's short series over time, fed by the same calls as the meters. */
  private final LiveHistory live = LiveHistory.standard();

  ServerMetrics(int replica) {
    registry.config().commonTags("replica", Integer.toString(replica));
    commitLatency = Timer.builder("lockstep.commit.latency")
        .description("time from proposing a client request to releasing its reply")
        .publishPercentiles(0.5, 0.99, 0.999).register(registry);
    readLatency = Timer.builder("lockstep.read.latency")
        .description("time from a read's arrival to its answer").register(registry);
    durableLatency = Timer.builder("lockstep.groupcommit.latency")
        .description("time from submitting a batch to the log to its durability callback")
        .publishPercentiles(0.5, 0.99).register(registry);
    batchEntries = DistributionSummary.builder("lockstep.batch.entries")
        .description("log entries appended per group-commit submission").register(registry);
    elections = Counter.builder("lockstep.elections").register(registry);
    leaderChanges = Counter.builder("lockstep.leader.changes").register(registry);
    busy = Counter.builder("lockstep.client.busy")
        .description("client questions refused because the loop queue was full").register(registry);
    peerDropped = Counter.builder("lockstep.peer.dropped")
        .description("peer messages dropped (queue full, undecodable)").register(registry);
    badFrames = Counter.builder("lockstep.client.bad.frames").register(registry);
    snapshotWrite = Timer.builder("lockstep.snapshot.write")
        .description("time the snapshot thread took to stream, write and force a snapshot"
            + " (under PBFT, the digest thread a checkpoint's state)")
        .register(registry);
    snapshotBytes = DistributionSummary.builder("lockstep.snapshot.bytes")
        .description("size of each snapshot written").baseUnit("bytes").register(registry);
    repairs = Counter.builder("lockstep.repairs")
        .description("repairs of damaged storage from peers finished since start")
        .register(registry);
    configuratorSteps = Counter.builder("lockstep.configurator.steps")
        .description("membership changes this replica's configurator stepped into the protocol"
            + " as leader (add a spare, remove a failed voter or a silent learner)")
        .register(registry);
  }

  /** The configurator stepped a membership change into the protocol. */
  void configuratorStep() {
    configuratorSteps.increment();
  }

  void repaired() {
    repairs.increment();
  }

  /** Meters read from the running parts (called once they exist). */
  void bind(ReplicaLoop loop, GroupCommitLog log, StableStorage storage) {
    Gauge.builder("lockstep.loop.queue.depth", loop, ReplicaLoop::queueDepth).strongReference(true).register(registry);
    Gauge.builder("lockstep.loop.queue.client.bytes", loop, ReplicaLoop::queuedClientBytes)
        .description("bytes of client questions waiting in the loop queue")
        .strongReference(true).register(registry);
    Gauge.builder("lockstep.log.queue.depth", log, GroupCommitLog::queued).strongReference(true).register(registry);
    FunctionCounter.builder("lockstep.groupcommit.batches", log, GroupCommitLog::batches)
        .register(registry);
    FunctionCounter.builder("lockstep.log.entries.read", log, GroupCommitLog::entriesRead)
        .description("log entries read back from disk for followers behind the in-memory cache")
        .register(registry);
    FunctionCounter.builder("lockstep.log.reads.failed", log, GroupCommitLog::readsFailed)
        .description("reads of log entries that failed (I/O error or damage)")
        .register(registry);
    FunctionCounter.builder("lockstep.log.slow.submits", log, GroupCommitLog::slowSubmits)
        .description("times the loop waited over a second for room in the full log queue")
        .register(registry);
    FunctionTimer.builder("lockstep.fsync", storage, StableStorage::syncs,
        StableStorage::syncNanos, TimeUnit.NANOSECONDS).register(registry);
    FunctionCounter.builder("lockstep.storage.bytes.written", storage,
        StableStorage::bytesWritten).register(registry);
    Gauge.builder("lockstep.role", loop, l -> l.status().role().ordinal()).strongReference(true)
        .description("0 follower, 1 pre-candidate, 2 candidate, 3 leader").register(registry);
    Gauge.builder("lockstep.repairing", loop, l -> l.repairing() ? 1 : 0).strongReference(true)
        .description("1 while this replica repairs damaged storage from its peers")
        .register(registry);
    Gauge.builder("lockstep.combining.margin", loop,
        l -> l.status().margin() == null ? Double.NaN : l.status().margin()).strongReference(true)
        .description("on the leader: voters that may still fail before fewer than a quorum answer"
            + " (P - F - Enuf); 0 or less is thin; NaN on followers")
        .register(registry);
    Gauge.builder("lockstep.term", loop, l -> l.status().term()).strongReference(true)
        .register(registry);
    Gauge.builder("lockstep.commit.index", loop, l -> l.status().commitIndex())
        .strongReference(true).register(registry);
    Gauge.builder("lockstep.applied.index", loop, l -> l.status().applied())
        .strongReference(true).register(registry);
    Gauge.builder("lockstep.last.index", loop, l -> l.status().lastIndex()).strongReference(true)
        .register(registry);
  }

  /**
   * What the transport refused, by port and reason ({@code lockstep_net_rejected_total{port=
   * "peer", reason="BAD_PROOF"}}): forged, replayed, misdirected and malformed handshakes and
   * frames are dropped by the network layer, and this is where an operator sees them.
   */
  void bindNet(String port, io.lockstep.net.NetStats stats) {
    for (io.lockstep.net.RejectReason reason : io.lockstep.net.RejectReason.values()) {
      FunctionCounter.builder("lockstep.net.rejected", stats, s -> s.rejected(reason))
          .tags("port", port, "reason", reason.name())
          .description("connections closed or frames dropped by the transport, by reason")
          .register(registry);
    }
    FunctionCounter.builder("lockstep.net.handshakes", stats, s -> s.handshakes())
        .tags("port", port).description("handshakes completed").register(registry);
    FunctionCounter.builder("lockstep.net.read.pauses", stats, s -> s.readPauses())
        .tags("port", port)
        .description("times a connection stopped being read because it left its answers unread")
        .register(registry);
  }

  /** The Redis port's back-pressure and budget meters (nothing if the service has none). */
  void bindRedis(io.lockstep.redis.RedisServer redis) {
    if (redis == null) {
      return;
    }
    Gauge.builder("lockstep.redis.outstanding.bytes", redis, r -> r.stats().outstandingBytes())
        .description("bytes of Redis commands received and not yet answered")
        .strongReference(true).register(registry);
    FunctionCounter.builder("lockstep.redis.read.pauses", redis, r -> r.stats().readPauses())
        .description("times a Redis connection stopped being read (back-pressure)")
        .register(registry);
    FunctionCounter.builder("lockstep.redis.byte.pauses", redis, r -> r.stats().bytePauses())
        .description("read pauses because a Redis byte budget was full").register(registry);
    FunctionCounter.builder("lockstep.redis.reply.pauses", redis, r -> r.stats().replyPauses())
        .description("read pauses because a Redis client left its replies unread")
        .register(registry);
    FunctionCounter.builder("lockstep.redis.slow.readers.closed", redis,
        r -> r.stats().slowReadersClosed())
        .description("Redis connections closed for leaving too many reply bytes unread")
        .register(registry);
  }

  /**
   * Divergence detection's meters (S1): mismatched digests ({@code lockstep_divergence_total}),
   * comparisons made, and peers' digests that could not be compared.
   */
  void bindAssumptions(AssumptionWatch watch) {
    this.assumptions = watch;
    for (AssumptionWatch.Kind kind : AssumptionWatch.Kind.values()) {
      FunctionCounter.builder("lockstep.assumption.violations", watch,
          w -> w.violations(kind)).tag("kind", kind.label())
          .description("probe samples whose delay or clock skew broke the protocol's bound")
          .register(registry);
    }
  }

  /** The protocol reported a broken assumption: log, count and report it in /health. */
  void assumptionBroken(String reason) {
    AssumptionWatch watch = assumptions;
    if (watch != null) {
      watch.protocolReported(reason);
    }
  }

  /**
   * The protocol says nothing it reported broken still is ({@code drainRepairedAssumptions},
   * drained after the reports of the same batch, so a later report is not cleared by it).
   */
  void assumptionRepaired(String reason) {
    AssumptionWatch watch = assumptions;
    if (watch != null) {
      watch.protocolRepaired(reason);
    }
  }

  void bindDivergence(DivergenceMonitor monitor) {
    FunctionCounter.builder("lockstep.divergence", monitor, DivergenceMonitor::mismatches)
        .description("checkpoint digests that differed from a peer's at the same position")
        .register(registry);
    FunctionCounter.builder("lockstep.digest.compared", monitor, DivergenceMonitor::compared)
        .description("checkpoint digests compared with a peer's at the same position")
        .register(registry);
    FunctionCounter.builder("lockstep.digest.uncompared", monitor, DivergenceMonitor::uncompared)
        .description("peers' checkpoint digests for positions this replica skipped or evicted")
        .register(registry);
  }

  /**
   * Signature checks (Byzantine mode): verified ahead on the verification pool ({@code
   * lockstep_signatures_preverified_total}) and, as the core asked, answered from those verdicts
   * or verified inline on the loop thread ({@code lockstep_signatures_inline_total}, which should
   * stay near zero while the pre-check runs).
   */
  void bindSignatures(io.lockstep.identity.PreverifiedSigner signer) {
    FunctionCounter.builder("lockstep.signatures.preverified", signer,
        io.lockstep.identity.PreverifiedSigner::preverified)
        .description("signatures verified on the verification pool before the loop")
        .register(registry);
    FunctionCounter.builder("lockstep.signatures.remembered", signer,
        io.lockstep.identity.PreverifiedSigner::answeredFromMemory)
        .description("signature checks of the core answered from a pre-verified verdict")
        .register(registry);
    FunctionCounter.builder("lockstep.signatures.inline", signer,
        io.lockstep.identity.PreverifiedSigner::verifiedInline)
        .description("signature checks the core had to verify on the loop thread")
        .register(registry);
  }

  /**
   * One signature claim of a received {@code kind} of message checked on the verification pool:
   * {@code lockstep_signature_claims_total{kind, ed25519="run"|"remembered"}}, so an operator
   * sees which messages the replica verifies and how many of them were repeats it had verified
   * already. Kinds are the protocol's message classes (a fixed set), bounded all the same.
   */
  void signatureClaim(String kind, boolean verified) {
    String key = kind + (verified ? "/run" : "/remembered");
    Counter c = signatureClaims.get(key);
    if (c == null) {
      if (signatureClaims.size() >= MAX_DROP_REASONS) {
        return;
      }
      c = signatureClaims.computeIfAbsent(key, k -> Counter.builder("lockstep.signature.claims")
          .description("signatures of received messages checked off the loop, by message kind;"
              + " ed25519=run if verified, remembered if a verdict for the same bytes was kept")
          .tags("kind", kind, "ed25519", verified ? "run" : "remembered").register(registry));
    }
    c.increment();
  }

  /** Claims of {@code kind} counted so far, Ed25519 run or remembered (0 if none). */
  public double signatureClaims(String kind, boolean verified) {
    Counter c = signatureClaims.get(kind + (verified ? "/run" : "/remembered"));
    return c == null ? 0 : c.count();
  }

  void committed(long nanos) {
    commitLatency.record(nanos, TimeUnit.NANOSECONDS);
    live.write(nanos);
  }

  /** A read answered {@code nanos} after it arrived. */
  void read(long nanos) {
    readLatency.record(nanos, TimeUnit.NANOSECONDS);
    live.read(nanos);
  }

  void durable(long nanos) {
    durableLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  void groupSubmitted(int entries) {
    batchEntries.record(entries);
  }

  void election() {
    elections.increment();
  }

  /** The replica believes {@code leader} (-1: none known) leads {@code term} now. */
  void leaderChange(long term, int leader) {
    leaderChanges.increment();
    if (leader >= 0) {
      live.leaderChanged(term, leader);
    }
  }

  /** The live page's recent series (rates, latencies, leader changes). */
  LiveHistory live() {
    return live;
  }

  void busy() {
    busy.increment();
  }

  /**
   * The protocol's latest drop counts by reason ({@code lockstep_protocol_dropped_total{reason=
   * "checkpoint vote with a bad signature"}}): what a faulty or lying peer sent that the
   * protocol refused. Reasons past {@link #MAX_DROP_REASONS} are not shown (their counts stay
   * in the protocol's total), so a reason naming a value cannot grow the registry without bound.
   */
  void protocolDrops(java.util.Map<String, Long> byReason) {
    byReason.forEach((reason, count) -> {
      java.util.concurrent.atomic.AtomicLong shown = protocolDrops.get(reason);
      if (shown == null && protocolDrops.size() < MAX_DROP_REASONS) {
        shown = new java.util.concurrent.atomic.AtomicLong();
        protocolDrops.put(reason, shown);
        FunctionCounter.builder("lockstep.protocol.dropped", shown,
                java.util.concurrent.atomic.AtomicLong::get).tag("reason", reason)
            .description("peer messages the protocol refused, by reason").register(registry);
      }
      if (shown != null) {
        shown.set(count);
      }
    });
  }

  /** The protocol's drops of one reason as last reported (0 if none yet), for tests. */
  public long protocolDrops(String reason) {
    java.util.concurrent.atomic.AtomicLong shown = protocolDrops.get(reason);
    return shown == null ? 0 : shown.get();
  }

  void peerDropped(String reason) {
    peerDropped.increment();
  }

  void snapshotWritten(long bytes, long nanos) {
    snapshotBytes.record(bytes);
    snapshotWrite.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A client request another replica relayed ({@link RequestRelay}): {@code outcome} is
   * {@code taken} (its tag matched), {@code refused} (dropped with a logged reason), or
   * {@code sent} (this replica relayed it, counted once per receiving replica).
   */
  void relayed(String outcome) {
    relays.computeIfAbsent(outcome, o -> Counter.builder("lockstep.relayed.requests")
        .description("client requests relayed between replicas, by outcome")
        .tag("outcome", o).register(registry)).increment();
  }

  void badFrame() {
    badFrames.increment();
  }

  /**
   * A client question refused (answered busy, retryable) because a byte budget was full, or
   * expired unanswered; {@code budget} is one of the tags above.
   */
  void budgetRefused(String budget) {
    refusals.computeIfAbsent(budget, b -> Counter.builder("lockstep.client.refused")
        .description("client questions refused busy because a byte budget was full, or"
            + " forwarded questions expired unanswered")
        .tag("budget", b).register(registry)).increment();
  }

  /**
   * Counts a system command refused at the client port because it did not come from an
   * operator; {@code kind} is {@code unauthenticated} (the administrator's name without its
   * key) or {@code signature} (a signed command whose signature or time is wrong).
   */
  void adminRefused(String kind) {
    adminRefusals.computeIfAbsent(kind, k -> Counter.builder("lockstep.admin.refused")
        .description("system commands refused because they did not come from an operator")
        .tag("kind", k).register(registry)).increment();
  }

  /** Count of system commands refused for {@code kind} (0 if none yet). */
  public double adminRefusals(String kind) {
    Counter c = adminRefusals.get(kind);
    return c == null ? 0 : c.count();
  }

  /** Count of refusals for one budget tag (0 if none yet). */
  public double budgetRefusals(String budget) {
    Counter c = refusals.get(budget);
    return c == null ? 0 : c.count();
  }

  /** Count of client questions refused as busy. */
  public double busyCount() {
    return busy.count();
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** The commit latency timer, for tests and benchmarks. */
  public Timer commitLatency() {
    return commitLatency;
  }
}
