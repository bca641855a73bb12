package io.lockstep.configuration;

import java.util.Objects;
import java.util.Optional;

/**
 * What an output device (paper §4, S15) needs of the configuration: whether it may still act
 * on an output, and when to poll. A device outside the system learns the configuration the
 * way clients do: each reply carries the configuration's version, and a version newer than the
 * one it holds means it should ask ({@link ConfigurationQuery}) and {@link #learn} the answer.
 *
 * <p>A removed device acts on no output at or after the stated position of its removal; a
 * change it learned while still pending already counts, which is why changes are stated
 * ahead. Outputs are judged by the position of the request that produced them, which every
 * correct replica reports alike, so the device stops at the same output whichever replica's
 * reply it acts on. Not thread-safe.
 */
public final class DeviceGate {
  private final String device;
  private ClusterConfiguration known = ClusterConfiguration.INITIAL;

  /** A gate for the device named {@code device} (as in {@link SystemCommand.AddDevice}). */
  public DeviceGate(String device) {
    SystemCommand.checkDevice(device);
    this.device = device;
  }

  /** True if a reply with configuration version {@code version} says there is more to learn. */
  public boolean shouldPoll(long version) {
    return version > known.version();
  }

  /** Takes a polled configuration, unless it is older than the one held (answers may cross). */
  public void learn(ClusterConfiguration configuration) {
    Objects.requireNonNull(configuration, "configuration");
    if (configuration.version() > known.version()) {
      known = configuration;
    }
  }

  /** The newest configuration learned. */
  public ClusterConfiguration known() {
    return known;
  }

  /**
   * The stated position from which this device is removed, counting a pending removal. A
   * readmission counts only once it has taken effect (the removal is then gone from the
   * configuration): until the device polls after that, it stays stopped, the safe side.
   */
  public Optional<Long> removedFrom() {
    Long removed = known.removedDevices().get(device);
    for (PendingChange p : known.pending()) {
      if (p.command() instanceof SystemCommand.RemoveDevice r && r.device().equals(device)) {
        removed = removed == null ? p.at() : Math.min(removed, p.at());
      }
    }
    return Optional.ofNullable(removed);
  }

  /** True if the device may act on an output produced at {@code position}. */
  public boolean mayActuate(long position) {
    Optional<Long> removed = removedFrom();
    return removed.isEmpty() || position < removed.get();
  }
}
