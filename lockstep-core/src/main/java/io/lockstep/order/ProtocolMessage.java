package io.lockstep.order;

/**
 * A message between replicas of one coordination protocol. Each protocol declares a sealed
 * sub-interface with one record per message kind (DESIGN.md §3).
 */
public interface ProtocolMessage {}
