package io.lockstep.order;

/**
 * A snapshot of a protocol's progress for status commands, metrics and checkers.
 *
 * @param self this replica's id
 * @param role its role
 * @param term current term (or view)
 * @param leader the replica believed to lead, or -1
 * @param commitIndex highest position known stable
 * @param lastIndex highest position in the local log
 * @param snapshotIndex position of the last snapshot, 0 if none
 */
public record Status(
    int self, Role role, long term, int leader, long commitIndex, long lastIndex, long snapshotIndex) {}
