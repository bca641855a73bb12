package io.lockstep.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;

/**
 * The JDK's log manager, except that at JVM shutdown it keeps the log handlers open until the
 * replica has stopped. The JDK closes every handler from a shutdown hook of its own, which runs
 * at the same time as the replica's: without this, the lines a replica logs while it stops on
 * SIGTERM ({@code event=replica_stopped}, a failed last fsync) are lost from {@code replica.log},
 * which is exactly when an operator reads it.
 *
 * <p>Installed by {@link ReplicaMain} through the {@code java.util.logging.manager} property
 * before anything logs; the replica's own shutdown hook calls {@link #stopped()} when it is done.
 * The wait is bounded, so a replica that cannot stop never keeps the JVM from exiting.
 */
public final class LastWordsLogManager extends LogManager {
  private static final long MAX_WAIT_SECONDS = 15;
  private static final String JDK_CLEANER = "java.util.logging.LogManager$Cleaner";
  private static final CountDownLatch STOPPED = new CountDownLatch(1);

  /** Called by the JDK (the {@code java.util.logging.manager} property names this class). */
  public LastWordsLogManager() {
    super();
  }

  /** Says the replica has stopped: the handlers may close now. */
  public static void stopped() {
    STOPPED.countDown();
  }

  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().equals(JDK_CLEANER)) {
      awaitStopped();
    }
    super.reset();
  }

  private static void awaitStopped() {
    try {
      STOPPED.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
