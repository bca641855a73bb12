/**
 * The versioned binary format of requests, log entries, hard states and snapshots, shared by
 * stable storage and the network layer ({@link io.lockstep.storage.codec.Codec}).
 */
package io.lockstep.storage.codec;
