package io.lockstep.order.raft;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of one {@link Raft} replica.
 *
 * <p>Any number of members works; 2t+1 members tolerate t crashed replicas (a majority of t+1
 * must stay up). Times are in milliseconds of the replica's monotonic clock, as delivered by
 * {@link io.lockstep.order.Input.Tick#now()}.
 *
 * @param self this replica's id; a replica outside {@code members} is a spare, which neither
 *     votes nor campaigns until a configuration change makes it a voter (§4.1)
 * @param members the ids of every replica in the initial configuration, distinct and
 *     non-negative; the log's and snapshot's configurations take over once they exist
 * @param electionTimeoutMillis T: election timeouts are drawn from [T, 2T); a follower that
 *     heard from its leader within T ignores (pre-)votes; check-quorum and transfers use T
 * @param heartbeatMillis how often a leader sends heartbeats; below T
 * @param maxBatchEntries most entries in one AppendEntries (batching, X3)
 * @param maxInflightAppends most unacknowledged AppendEntries per follower (pipelining, X3)
 * @param preVote run a pre-vote round before bumping the term (dissertation §9.6)
 * @param checkQuorum a leader that has not heard from a majority within T steps down, and
 *     followers in touch with a leader ignore (pre-)votes (leader stickiness, §6.2 / §4.2.3)
 * @param leaseReads serve linearizable reads locally while the leader's lease holds (§6.4.1);
 *     requires {@code checkQuorum}
 * @param maxClockDrift the bound ρ on clock rate drift assumed by lease reads, in [0, 1)
 * @param compactionMargin how many entries below a snapshot taken here stay in the in-memory
 *     log (stable storage drops them all), so that a follower lagging by fewer entries is caught
 *     up with AppendEntries instead of a whole InstallSnapshot (§5.1 notes that a leader may
 *     keep a margin of entries; etcd-io/raft's users keep one too); 0 keeps none
 * @param parallelLeaderAppend the leader may send AppendEntries before its own writes are
 *     durable, and counts itself toward a commit only up to the index the runtime reported with
 *     {@link io.lockstep.order.Input.Persisted} (dissertation §10.2.1); off, it counts every entry
 *     handed out in a Ready and the runtime sends nothing before that Ready's writes are durable
 * @param maxUncommittedBytes the leader refuses new proposals, as busy and retryable, while its
 *     entries not yet committed hold this many bytes of requests (a proposal is always taken when
 *     nothing is uncommitted, so one request larger than the limit still goes through): a leader
 *     cut off from its followers must not grow its log until the heap is gone
 * @param compactionMarginBytes the compaction margin also holds at most about this many bytes of
 *     requests, so a margin of large entries cannot fill the heap
 * @param maxLogBytes the leader refuses new proposals, as busy and retryable, while its whole
 *     log (margin, applied entries not yet in a snapshot, uncommitted entries) holds
 *     this many bytes; the runtime's snapshots, taken by bytes applied too, then make room. Taken
 *     anyway while the log holds no more than the margin, so a snapshot always frees enough
 * @param logCacheBytes the entries' payloads are kept in memory only for the newest entries
 *     within about this many bytes; older applied entries stay in the log as their term, agreed
 *     time and size, and a follower that needs them is sent what the runtime reads back from
 *     stable storage ({@link io.lockstep.order.Ready.EntriesWanted}). Entries not yet applied,
 *     or not yet handed to the runtime, are always kept, whatever the budget
 */
public record RaftConfig(
    int self,
    List<Integer> members,
    long electionTimeoutMillis,
    long heartbeatMillis,
    int maxBatchEntries,
    int maxInflightAppends,
    boolean preVote,
    boolean checkQuorum,
    boolean leaseReads,
    double maxClockDrift,
    long compactionMargin,
    boolean parallelLeaderAppend,
    long maxUncommittedBytes,
    long compactionMarginBytes,
    long maxLogBytes,
    long logCacheBytes) {

  /** Default {@link #maxUncommittedBytes}: 64 MiB. */
  public static final long DEFAULT_MAX_UNCOMMITTED_BYTES = 64L << 20;
  /** Default {@link #compactionMarginBytes}: 16 MiB. */
  public static final long DEFAULT_COMPACTION_MARGIN_BYTES = 16L << 20;
  /** Default {@link #maxLogBytes}: 256 MiB. */
  public static final long DEFAULT_MAX_LOG_BYTES = 256L << 20;
  /**
   * Default {@link #logCacheBytes}: 8 MiB. Payloads kept longer than a young collection or two
   * are copied between survivor spaces, promoted, and die in the old generation: with 64 MiB
   * (about 20 s of entries under 32 writing clients) each replica promoted ~3 MB a second
   * towards a full collection; with 8 MiB it promotes almost nothing, and a follower more than
   * 8 MiB behind is sent its entries as read back from the log's files.
   */
  public static final long DEFAULT_LOG_CACHE_BYTES = 8L << 20;

  public RaftConfig {
    members = checkedMembers(self, members);
    if (electionTimeoutMillis <= 0) {
      throw new IllegalArgumentException(
          "electionTimeoutMillis must be positive, was " + electionTimeoutMillis);
    }
    if (heartbeatMillis <= 0) {
      throw new IllegalArgumentException("heartbeatMillis must be positive, was " + heartbeatMillis);
    }
    if (heartbeatMillis >= electionTimeoutMillis) {
      throw new IllegalArgumentException("heartbeatMillis (" + heartbeatMillis
          + ") must be below electionTimeoutMillis (" + electionTimeoutMillis + ")");
    }
    if (maxBatchEntries < 1) {
      throw new IllegalArgumentException("maxBatchEntries must be at least 1, was " + maxBatchEntries);
    }
    if (maxInflightAppends < 1) {
      throw new IllegalArgumentException(
          "maxInflightAppends must be at least 1, was " + maxInflightAppends);
    }
    if (!(maxClockDrift >= 0 && maxClockDrift < 1)) {
      throw new IllegalArgumentException("maxClockDrift must be in [0, 1), was " + maxClockDrift);
    }
    if (maxUncommittedBytes < 1 || compactionMarginBytes < 0 || maxLogBytes < 1) {
      throw new IllegalArgumentException("maxUncommittedBytes and maxLogBytes must be positive"
          + " and compactionMarginBytes not negative, were " + maxUncommittedBytes + ", "
          + maxLogBytes + " and " + compactionMarginBytes);
    }
    if (compactionMarginBytes + maxUncommittedBytes >= maxLogBytes / 2) {
      // The log asks for a snapshot at half its budget; what no snapshot removes (the margin
      // and the uncommitted entries) must stay below that, or it would ask on every step.
      throw new IllegalArgumentException("compactionMarginBytes + maxUncommittedBytes ("
          + compactionMarginBytes + " + " + maxUncommittedBytes + ") must stay below half of"
          + " maxLogBytes (" + maxLogBytes + ")");
    }
    if (logCacheBytes < 1) {
      throw new IllegalArgumentException("logCacheBytes must be positive, was " + logCacheBytes);
    }
    if (compactionMargin < 0) {
      throw new IllegalArgumentException(
          "compactionMargin must not be negative, was " + compactionMargin);
    }
    if (leaseReads && !checkQuorum) {
      throw new IllegalArgumentException(
          "leaseReads requires checkQuorum: the lease relies on followers ignoring votes while in"
              + " touch with the leader");
    }
  }

  /** A configuration with the default log cache budget. */
  public RaftConfig(int self, List<Integer> members, long electionTimeoutMillis,
      long heartbeatMillis, int maxBatchEntries, int maxInflightAppends, boolean preVote,
      boolean checkQuorum, boolean leaseReads, double maxClockDrift, long compactionMargin,
      boolean parallelLeaderAppend, long maxUncommittedBytes, long compactionMarginBytes,
      long maxLogBytes) {
    this(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend, maxUncommittedBytes, compactionMarginBytes, maxLogBytes,
        DEFAULT_LOG_CACHE_BYTES);
  }

  /** A configuration with the default byte budgets. */
  public RaftConfig(int self, List<Integer> members, long electionTimeoutMillis,
      long heartbeatMillis, int maxBatchEntries, int maxInflightAppends, boolean preVote,
      boolean checkQuorum, boolean leaseReads, double maxClockDrift, long compactionMargin,
      boolean parallelLeaderAppend) {
    this(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend, DEFAULT_MAX_UNCOMMITTED_BYTES, DEFAULT_COMPACTION_MARGIN_BYTES,
        DEFAULT_MAX_LOG_BYTES);
  }

  /** A configuration without parallel leader appends (the leader's writes precede its sends). */
  public RaftConfig(int self, List<Integer> members, long electionTimeoutMillis,
      long heartbeatMillis, int maxBatchEntries, int maxInflightAppends, boolean preVote,
      boolean checkQuorum, boolean leaseReads, double maxClockDrift, long compactionMargin) {
    this(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        false);
  }

  /** A configuration without a compaction margin (it keeps no entries below a snapshot). */
  public RaftConfig(int self, List<Integer> members, long electionTimeoutMillis,
      long heartbeatMillis, int maxBatchEntries, int maxInflightAppends, boolean preVote,
      boolean checkQuorum, boolean leaseReads, double maxClockDrift) {
    this(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, 0);
  }

  /**
   * The defaults: election timeout 300 ms, heartbeat 50 ms, batches of 256 entries, 8 appends in
   * flight, pre-vote and check-quorum on, lease reads off, clock drift bound 0.1, no compaction margin.
   */
  public static RaftConfig defaults(int self, List<Integer> members) {
    return new RaftConfig(self, members, 300, 50, 256, 8, true, true, false, 0.1);
  }

  /** This configuration with other timeouts. */
  public RaftConfig withTimeouts(long electionTimeoutMillis, long heartbeatMillis) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  /** This configuration with other batching and pipelining limits. */
  public RaftConfig withFlowControl(int maxBatchEntries, int maxInflightAppends) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  /** This configuration with pre-vote and check-quorum switched as given. */
  public RaftConfig withElectionSafeguards(boolean preVote, boolean checkQuorum) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads && checkQuorum, maxClockDrift,
        compactionMargin, parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  /** This configuration with lease reads switched as given (and check-quorum on if they are). */
  public RaftConfig withLeaseReads(boolean leaseReads, double maxClockDrift) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum || leaseReads, leaseReads, maxClockDrift,
        compactionMargin, parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  /** This configuration keeping {@code compactionMargin} entries below each snapshot. */
  public RaftConfig withCompactionMargin(long compactionMargin) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  /**
   * This configuration with parallel leader appends switched as given (§10.2.1): the runtime
   * must then report durability with {@link io.lockstep.order.Input.Persisted}.
   */
  public RaftConfig withParallelLeaderAppend(boolean parallelLeaderAppend) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  /** This configuration with other byte budgets for the in-memory log. */
  public RaftConfig withLogBudgets(long maxUncommittedBytes, long compactionMarginBytes) {
    return withLogBudgets(maxUncommittedBytes, compactionMarginBytes, maxLogBytes);
  }

  /** This configuration with other byte budgets for the in-memory log, the whole log's too. */
  public RaftConfig withLogBudgets(long maxUncommittedBytes, long compactionMarginBytes,
      long maxLogBytes) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend, maxUncommittedBytes, compactionMarginBytes, maxLogBytes,
        logCacheBytes);
  }

  /**
   * This configuration keeping the payloads of only about {@code logCacheBytes} of the newest
   * entries in memory.
   */
  public RaftConfig withLogCacheBytes(long logCacheBytes) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend, maxUncommittedBytes, compactionMarginBytes, maxLogBytes,
        logCacheBytes);
  }

  /** The same configuration seen from replica {@code self}. */
  public RaftConfig forMember(int self) {
    return new RaftConfig(self, members, electionTimeoutMillis, heartbeatMillis, maxBatchEntries,
        maxInflightAppends, preVote, checkQuorum, leaseReads, maxClockDrift, compactionMargin,
        parallelLeaderAppend,
        maxUncommittedBytes, compactionMarginBytes, maxLogBytes, logCacheBytes);
  }

  private static List<Integer> checkedMembers(int self, List<Integer> members) {
    Objects.requireNonNull(members, "members");
    if (members.isEmpty()) {
      throw new IllegalArgumentException("members must not be empty");
    }
    Set<Integer> seen = new HashSet<>();
    for (Integer member : members) {
      if (member == null || member < 0) {
        throw new IllegalArgumentException("member ids must be non-negative, got " + member);
      }
      if (!seen.add(member)) {
        throw new IllegalArgumentException("members must be distinct, " + member + " repeats");
      }
    }
    if (self < 0) {
      throw new IllegalArgumentException("self must be a non-negative id, got " + self);
    }
    return List.copyOf(members);
  }
}
