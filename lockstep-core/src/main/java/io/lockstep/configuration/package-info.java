/**
 * The configuration as replicated state (paper §7, S20): which clients (C) and output devices
 * (O) are admitted, and the replica set (S) as the executor sees it. It is part of the
 * executor, not of the user's state machine: it changes only through ordered
 * {@link io.lockstep.configuration.SystemCommand}s, each of which takes effect at a stated
 * future position, so every replica changes it between the same two requests; it is in every
 * snapshot and state digest. Clients and devices learn it from the version in each reply and
 * by polling ({@link io.lockstep.configuration.ConfigurationQuery}).
 *
 * <p>Deterministic: no threads, clocks, randomness or I/O (an architecture test enforces it).
 */
package io.lockstep.configuration;
