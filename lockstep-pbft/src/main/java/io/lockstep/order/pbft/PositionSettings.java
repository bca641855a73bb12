package io.lockstep.order.pbft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings a data directory's contents depend on, recorded in the hard state
 * ({@link DurableState} version 4) so that a replica never reads its storage with other ones:
 * {@code max-batch} fixes every request's position ({@code (seq − 1) · max-batch + 1 + i},
 * {@link Pbft#position}), and positions are in the executor's state (its session table, its
 * snapshots, the stated positions of replica-set changes); the checkpoint interval and the
 * window fix which sequence numbers have a saved state and which journal entries recovery
 * keeps. A replica started with other values would execute the same requests at other
 * positions than its peers and its checkpoint digests would differ from theirs for ever.
 *
 * @param maxBatch {@code pbft.max-batch}
 * @param checkpointInterval {@code pbft.checkpoint-interval}
 * @param window {@code pbft.window}
 */
record PositionSettings(int maxBatch, int checkpointInterval, int window) {
  /**
   * What builds before version 4 of the hard state used when the cluster file did not set
   * them: their data directories were made with these, so they stand in for the missing record.
   */
  static final PositionSettings BEFORE_RECORDING = new PositionSettings(16, 128, 256);

  /** Their keys in the cluster file (without the {@code pbft.} prefix), in this order. */
  static final List<String> KEYS = List.of("max-batch", "checkpoint-interval", "window");

  /** What in the data directory each setting fixes, for the refusal. */
  private static final Map<String, String> DEPENDS = Map.of(
      "max-batch", "positions depend on it",
      "checkpoint-interval", "its saved checkpoints depend on it",
      "window", "its journal and replica-set distances depend on it");

  PositionSettings {
    if (maxBatch < 1 || maxBatch > Batch.MAX_REQUESTS || checkpointInterval < 1
        || window < 2 * checkpointInterval || window % checkpointInterval != 0) {
      throw new IllegalArgumentException("max-batch " + maxBatch + " (at most "
          + Batch.MAX_REQUESTS + "), checkpoint interval " + checkpointInterval + " and window "
          + window + " (a multiple of the interval, at least twice it) do not fit together");
    }
  }

  /** The values {@code config} runs with. */
  static PositionSettings of(PbftConfig config) {
    return new PositionSettings(config.maxBatch(), config.checkpointInterval(), config.window());
  }

  /** The values as the cluster file names them (keys without the {@code pbft.} prefix). */
  Map<String, Integer> byKey() {
    Map<String, Integer> out = new LinkedHashMap<>();
    List<Integer> values = List.of(maxBatch, checkpointInterval, window);
    for (int i = 0; i < KEYS.size(); i++) {
      out.put(KEYS.get(i), values.get(i));
    }
    return out;
  }

  /**
   * Why a data directory that recorded these values cannot run with {@code configured}, one
   * sentence per differing setting; empty if they agree.
   */
  List<String> refusals(PositionSettings configured) {
    List<String> out = new ArrayList<>();
    Map<String, Integer> wanted = configured.byKey();
    byKey().forEach((key, recorded) -> {
      if (wanted.get(key).intValue() != recorded) {
        out.add(refusal(key, recorded, Integer.toString(wanted.get(key))));
      }
    });
    return out;
  }

  /**
   * Why a data directory created with {@code key} = {@code recorded} refuses a configuration
   * that says {@code configured}: both values, what depends on the setting, and what to put in
   * the cluster file.
   */
  static String refusal(String key, int recorded, String configured) {
    return "data directory created with pbft." + key + "=" + recorded
        + "; this configuration says " + configured + "; " + DEPENDS.get(key) + ": set pbft."
        + key + "=" + recorded + " in the cluster file";
  }
}
