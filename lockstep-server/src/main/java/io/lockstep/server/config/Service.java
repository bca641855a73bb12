package io.lockstep.server.config;

/** The replicated state machine a cluster runs. */
public enum Service {
  /** The Redis-compatible key-value store ({@link io.lockstep.redis.RedisStore}). */
  KV,
  /** The paper's lock service with time-outs (§5.2; {@link io.lockstep.server.lock.LockService}). */
  LOCK,
  /**
   * The user's own {@link io.lockstep.machine.StateMachine}, named by
   * {@link ClusterConfig#machine()} ({@code cluster.machine}).
   */
  MACHINE
}
