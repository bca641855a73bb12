package io.lockstep.order;

/**
 * A message between replicas of one coordination protocol. Each protocol declares a sealed
 * sub-interface with one record per message kind, so a switch over them is exhaustive.
 */
public interface ProtocolMessage {}
