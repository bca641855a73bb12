/**
 * The Java client of a Lockstep cluster: {@link io.lockstep.client.LockstepClient} (leader
 * discovery, exactly-once retries, voting, indeterminate outcomes) and the
 * {@link io.lockstep.client.KvClient} convenience wrapper for the key-value service.
 */
package io.lockstep.client;
