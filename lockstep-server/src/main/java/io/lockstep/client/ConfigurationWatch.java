package io.lockstep.client;

import io.lockstep.configuration.ClusterConfiguration;
import io.lockstep.configuration.ConfigurationCodec;
import io.lockstep.configuration.ConfigurationQuery;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How a client learns the configuration (paper §7: clients learn it from replies and by
 * polling). Every reply carries the version of the configuration it was made in; a version
 * above the one held means there is something new, so the client asks for the configuration
 * ({@code ConfigurationQuery}) and keeps the answer if it is newer than what it holds (answers
 * may cross).
 *
 * <p>At most one poll is in flight. The version is advisory (a faulty replica may inflate
 * it): a poll whose answer is still below the version that prompted it is not repeated at
 * once, only when a later reply again carries a version above the one held, so an inflated
 * version costs at most one poll per reply, never a loop. Thread-safe.
 *
 * <p>It asks for the full form, with the replicas' recorded addresses
 * ({@link ConfigurationQuery#withMembers}). A replica of an earlier build hands that query to
 * the state machine, whose answer does not decode as a configuration; from then on the watch
 * asks with the short query ({@link ConfigurationQuery#bytes}) that such replicas answer.
 */
final class ConfigurationWatch {
  private static final System.Logger LOG = System.getLogger(ConfigurationWatch.class.getName());

  private final Function<byte[], CompletableFuture<byte[]>> poll;
  /** False once a full answer did not decode: the replicas are of an earlier build. */
  private volatile boolean full = true;
  private final AtomicLong seen = new AtomicLong();
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicLong polls = new AtomicLong();
  private final List<Consumer<ClusterConfiguration>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterConfiguration known = ClusterConfiguration.INITIAL;

  /** @param poll sends a query to the cluster (here: for its configuration) */
  ConfigurationWatch(Function<byte[], CompletableFuture<byte[]>> poll) {
    this.poll = poll;
  }

  /** A reply carried configuration version {@code version}. */
  void seen(long version) {
    if (seen.accumulateAndGet(version, Math::max) > known.version()
        && polling.compareAndSet(false, true)) {
      startPoll();
    }
  }

  private void startPoll() {
    polls.incrementAndGet();
    CompletableFuture<byte[]> answer;
    boolean asked = full;
    try {
      answer = poll.apply(asked ? ConfigurationQuery.withMembers() : ConfigurationQuery.bytes());
    } catch (RuntimeException e) {
      polling.set(false);
      LOG.log(Level.DEBUG, "configuration poll not sent: " + e.getMessage());
      return;
    }
    answer.whenComplete((bytes, error) -> {
      try {
        if (error == null) {
          learn(asked ? ConfigurationCodec.decodeFull(bytes) : ConfigurationCodec.decode(bytes));
        } else {
          LOG.log(Level.DEBUG, "configuration poll failed: " + error.getMessage());
        }
      } catch (IllegalArgumentException e) {
        if (asked) {
          full = false;
        }
        LOG.log(Level.WARNING, "event=configuration_undecodable reason=\"" + e.getMessage()
            + "\"");
      } finally {
        polling.set(false);
      }
    });
  }

  private void learn(ClusterConfiguration configuration) {
    synchronized (this) {
      if (configuration.version() <= known.version()) {
        return;
      }
      known = configuration;
    }
    for (Consumer<ClusterConfiguration> listener : listeners) {
      listener.accept(configuration);
    }
  }

  /** The newest configuration learned ({@link ClusterConfiguration#INITIAL} until one is). */
  ClusterConfiguration known() {
    return known;
  }

  /** The highest configuration version any reply carried. */
  long seenVersion() {
    return seen.get();
  }

  /** Polls sent so far. */
  long polls() {
    return polls.get();
  }

  /** Calls {@code listener} with each newer configuration learned from now on. */
  void onChange(Consumer<ClusterConfiguration> listener) {
    listeners.add(listener);
  }
}
