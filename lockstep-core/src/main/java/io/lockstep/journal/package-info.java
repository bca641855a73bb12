/**
 * The event journal: what happened on a replica or a client, one structured {@link
 * io.lockstep.journal.Event} at a time, so that a run can be looked at as a timeline instead of
 * read as text logs.
 *
 * <p>Protocol cores and the replica glue describe events without saying when they happened (they
 * read no clock); the runtime's {@link io.lockstep.journal.Journal} stamps each with its own time
 * (simulated nanoseconds in the simulator, the wall clock in the server) into a {@link
 * io.lockstep.journal.Stamped} event. The server keeps them in a bounded {@link
 * io.lockstep.journal.JournalRing} that a writer thread drains to rolling files in the binary
 * {@link io.lockstep.journal.JournalFormat} (written by {@link io.lockstep.journal.JournalEncoder};
 * files of the older text {@link io.lockstep.journal.JournalLines} format still read); the
 * simulator keeps them in memory. Both feed the same timeline renderer.
 */
package io.lockstep.journal;
