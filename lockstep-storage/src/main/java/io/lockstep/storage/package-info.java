/**
 * Stable storage on real disks (X1, X2): a durable log and snapshot store in pure Java, and the
 * runtime's group-commit log thread.
 *
 * <p>{@link io.lockstep.storage.FileStorage} persists the {@link io.lockstep.order.StorageWrite}s
 * a protocol core emits and gives them back as a {@link io.lockstep.order.Recovered} after a
 * crash: checksummed records in segment files, snapshots in their own atomically written files,
 * compaction once a snapshot is durable, and recovery that cuts a torn tail but refuses to start
 * on corruption ({@link io.lockstep.storage.CorruptStorageException}).
 * {@link io.lockstep.storage.GroupCommitLog} is the runtime's log thread: it makes the
 * writes of many Readys durable with one fsync and runs their callbacks only then.
 */
package io.lockstep.storage;
