package io.lockstep.order.raft;

import io.lockstep.order.Coordination;
import io.lockstep.order.FailureModel;
import io.lockstep.order.Protocol;
import io.lockstep.order.ProtocolCodec;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.order.Recovered;
import io.lockstep.order.raft.wire.RaftCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Raft-class protocol (crash faults, 2t+1 replicas) as the runtime finds it, registered as
 * {@code raft}. Its settings, under {@code raft.} in the cluster file:
 *
 * <pre>
 * election-timeout-ms      election timeout T (default 300)
 * heartbeat-ms             leader heartbeat interval, below T (default 50)
 * parallel-leader-append   true (default): the leader sends AppendEntries while its own fsync
 *                          runs (dissertation §10.2.1); false: only after it
 * max-batch-entries        most entries in one AppendEntries (default 256)
 * max-inflight-appends     most unacknowledged AppendEntries per follower (default 64)
 * compaction-margin        entries kept in memory below each snapshot, so a follower a little
 *                          behind gets AppendEntries rather than a snapshot (default 10000;
 *                          10,000 entries of ~100-byte requests are ~2 MB of heap)
 * compaction-margin-bytes  ... and at most about this many bytes of them (default 16 MiB)
 * max-uncommitted-bytes    the leader refuses proposals as busy (retryable) while its entries
 *                          not yet committed hold this many bytes (default 64 MiB)
 * max-log-bytes            ... and while its whole log since the last snapshot holds this many
 *                          bytes, until a snapshot compacts it (default 256 MiB)
 * log-cache-bytes          the payloads of only about this many bytes of the newest applied
 *                          entries stay in memory; a follower that needs older ones is sent
 *                          them as read back from the log's files (default 8 MiB, at least
 *                          64 KiB)
 * </pre>
 */
public final class RaftProtocol implements Protocol {
  private static final Map<String, String> DEFAULTS = defaults();
  /**
   * Smallest {@code raft.log-cache-bytes} taken: below it nearly every AppendEntries to a
   * follower a moment behind would wait for a read from disk.
   */
  static final long MIN_LOG_CACHE_BYTES = 64 << 10;

  /** Called by the {@link java.util.ServiceLoader}. */
  public RaftProtocol() {}

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("election-timeout-ms", "300");
    d.put("heartbeat-ms", "50");
    d.put("parallel-leader-append", "true");
    d.put("max-batch-entries", "256");
    d.put("max-inflight-appends", "64");
    d.put("compaction-margin", "10000");
    d.put("compaction-margin-bytes", Long.toString(RaftConfig.DEFAULT_COMPACTION_MARGIN_BYTES));
    d.put("max-uncommitted-bytes", Long.toString(RaftConfig.DEFAULT_MAX_UNCOMMITTED_BYTES));
    d.put("max-log-bytes", Long.toString(RaftConfig.DEFAULT_MAX_LOG_BYTES));
    d.put("log-cache-bytes", Long.toString(RaftConfig.DEFAULT_LOG_CACHE_BYTES));
    return Map.copyOf(d);
  }

  @Override
  public String name() {
    return "raft";
  }

  @Override
  public Map<String, String> defaultSettings() {
    return new java.util.TreeMap<>(DEFAULTS);
  }

  @Override
  public List<String> check(ProtocolSetup setup) {
    List<String> problems = new ArrayList<>();
    if (setup.failureModel() != FailureModel.FAIL_STOP) {
      problems.add("failure model " + setup.failureModel().name().toLowerCase(java.util.Locale.ROOT)
          + " is not supported by raft, which tolerates crashes (fail-stop) only");
    }
    int needed = 2 * setup.t() + 1;
    if (setup.members().size() < needed) {
      problems.add("fail-stop raft with t=" + setup.t() + " needs at least " + needed
          + " replicas (2t+1: a majority must survive t crashes), but " + setup.members().size()
          + " are configured");
    }
    for (String key : setup.settings().keySet()) {
      if (!DEFAULTS.containsKey(key)) {
        problems.add("unknown setting raft." + key + "; raft's settings are raft."
            + String.join(", raft.", new java.util.TreeSet<>(DEFAULTS.keySet())));
      }
    }
    config(setup, problems::add);
    return problems;
  }

  @Override
  public Coordination create(ProtocolSetup setup, Recovered recovered, long seed) {
    List<String> problems = check(setup);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new Raft(config(setup, p -> {}), recovered, seed, setup.snapshotReceiver());
  }

  @Override
  public ProtocolCodec codec() {
    return RaftCodec.INSTANCE;
  }

  /** The configuration {@code setup} asks for, or null after reporting why there is none. */
  private static RaftConfig config(ProtocolSetup setup, Consumer<String> problems) {
    Settings s = new Settings(setup.settings(), problems);
    long election = s.number("election-timeout-ms", 1, 600_000);
    long heartbeat = s.number("heartbeat-ms", 1, 600_000);
    if (!s.failed && heartbeat >= election) {
      s.fail("raft.heartbeat-ms (" + heartbeat + ") must be below raft.election-timeout-ms ("
          + election + ")");
    }
    boolean parallel = s.flag("parallel-leader-append");
    int batch = (int) s.number("max-batch-entries", 1, 1 << 16);
    int inflight = (int) s.number("max-inflight-appends", 1, 1 << 12);
    long margin = s.number("compaction-margin", 0, Long.MAX_VALUE);
    long marginBytes = s.number("compaction-margin-bytes", 0, Long.MAX_VALUE);
    long uncommitted = s.number("max-uncommitted-bytes", 1, Long.MAX_VALUE);
    long logBytes = s.number("max-log-bytes", 1, Long.MAX_VALUE);
    long cacheBytes = s.number("log-cache-bytes", MIN_LOG_CACHE_BYTES, Long.MAX_VALUE);
    if (!s.failed && marginBytes + uncommitted >= logBytes / 2) {
      s.fail("raft.compaction-margin-bytes + raft.max-uncommitted-bytes (" + (marginBytes
          + uncommitted) + ") must stay below half of raft.max-log-bytes (" + logBytes + "): the"
          + " log asks for a snapshot at half its budget, and a snapshot removes neither");
    }
    if (s.failed) {
      return null;
    }
    return RaftConfig.defaults(setup.self(), setup.members()).withTimeouts(election, heartbeat)
        .withFlowControl(batch, inflight).withCompactionMargin(margin)
        .withParallelLeaderAppend(parallel).withLogBudgets(uncommitted, marginBytes, logBytes)
        .withLogCacheBytes(cacheBytes);
  }

  /** Reads settings as text, reporting each bad value as a problem. */
  private static final class Settings {
    private final Map<String, String> given;
    private final Consumer<String> problems;
    private boolean failed;

    Settings(Map<String, String> given, Consumer<String> problems) {
      this.given = given;
      this.problems = problems;
    }

    long number(String key, long min, long max) {
      String text = given.getOrDefault(key, DEFAULTS.get(key)).trim();
      try {
        long value = Long.parseLong(text);
        if (value >= min && value <= max) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below, as a value out of range is
      }
      fail("raft." + key + " must be a whole number in [" + min + ", " + max + "], was '" + text
          + "'");
      return min;
    }

    boolean flag(String key) {
      String text = given.getOrDefault(key, DEFAULTS.get(key)).trim();
      if (text.equals("true") || text.equals("false")) {
        return Boolean.parseBoolean(text);
      }
      fail("raft." + key + " must be true or false, was '" + text + "'");
      return false;
    }

    void fail(String problem) {
      failed = true;
      problems.accept(problem);
    }
  }
}
