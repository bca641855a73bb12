package io.lockstep.redis;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves the Redis port from one unreplicated in-process executor, for trying redis-cli by hand:
 * {@code java -cp … io.lockstep.redis.RedisDemoMain 6399}, then {@code redis-cli -p 6399}.
 * Agreed time is this JVM's wall clock (test code only), ticked every 50 ms so that expiries
 * fire while no client writes.
 */
public final class RedisDemoMain {
  private RedisDemoMain() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 6399;
    InProcessBackend backend = new InProcessBackend(new RedisStore(), System::currentTimeMillis);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ticker.scheduleAtFixedRate(backend::tick, 50, 50, TimeUnit.MILLISECONDS);
    try (RedisServer server = RedisServer.start(
        RedisServerConfig.defaults("127.0.0.1", port), backend)) {
      System.out.println("redis port on 127.0.0.1:" + server.port() + "; Ctrl-C to stop");
      Thread.currentThread().join();
    } finally {
      ticker.shutdownNow();
      backend.close();
    }
  }
}
