package io.lockstep.order.pbft;

import io.lockstep.order.Recovered;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which {@link PositionSettings} a replica runs with, from its cluster file and what its data
 * directory recorded. A setting the file names is used as named, and must equal the recorded
 * value (otherwise the replica refuses to start, saying what to put in the file). A setting the
 * file leaves unset takes the recorded value, whatever today's default is: the data were made
 * with it. A hard state from a build that recorded nothing (versions 1 to 3) was made with that
 * build's defaults, {@link PositionSettings#BEFORE_RECORDING} (its max-batch, 16, is not today's
 * default), unless the file named the setting, which those builds honoured too. The value used
 * is recorded by the replica's first hard state ({@link Durable}). A data directory with no hard
 * state is new (or wiped): it takes the file's values and the defaults.
 */
final class RecordedSettings {
  private static final System.Logger LOG = System.getLogger(PbftProtocol.class.getName());

  private RecordedSettings() {}

  /**
   * The settings replica {@code self} runs with: {@code file} with the unset position settings
   * filled in from {@code recovered}'s hard state.
   *
   * @throws IllegalArgumentException if {@code file} names a value the data were not made with
   */
  static Map<String, String> resolve(int self, Map<String, String> file, Recovered recovered,
      Map<String, String> defaults) {
    DurableState state = stored(recovered);
    if (state == null) {
      return file; // a new data directory, or a hard state recovery will refuse with the reason
    }
    boolean legacy = state.settings() == null;
    PositionSettings made = legacy ? PositionSettings.BEFORE_RECORDING : state.settings();
    Map<String, String> out = new TreeMap<>(file);
    List<String> refusals = new ArrayList<>();
    made.byKey().forEach((key, value) -> {
      String named = file.get(key);
      if (named == null) {
        out.put(key, Integer.toString(value));
        if (!Integer.toString(value).equals(defaults.get(key))) {
          LOG.log(System.Logger.Level.INFO, "event=pbft_setting_kept replica=" + self
              + " setting=pbft." + key + " value=" + value + " default=" + defaults.get(key)
              + " reason=" + (legacy ? "the data directory was written by an earlier build,"
                  + " which did not record it and used " + value + " unless the cluster file"
                  + " said otherwise" : "the data directory was created with it")
              + "; the cluster file does not set it and its data depend on it, so it stays "
              + value + (legacy ? " and is recorded from now on" : "")
              + "; add pbft." + key + "=" + value + " to the cluster file to say so");
        }
      } else if (!legacy && !means(named, value)) {
        refusals.add(PositionSettings.refusal(key, value, named.trim()));
      }
    });
    if (!refusals.isEmpty()) {
      throw new IllegalArgumentException("replica " + self + "'s " + String.join("; ", refusals));
    }
    return out;
  }

  private static boolean means(String named, int value) {
    try {
      return Long.parseLong(named.trim()) == value;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The stored hard state, or null if there is none or it does not decode. */
  private static DurableState stored(Recovered recovered) {
    if (recovered.hardState() == null) {
      return null;
    }
    try {
      return DurableState.decode(recovered.hardState().state());
    } catch (IllegalArgumentException e) {
      return null; // Recovery refuses it, saying why
    }
  }
}
