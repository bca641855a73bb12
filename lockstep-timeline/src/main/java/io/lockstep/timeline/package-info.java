/**
 * Timelines: a run's journal (the simulator's, or the merged journal files of a real cluster's
 * replicas) drawn as one self-contained HTML file — a lane per replica and per client, messages as
 * arrows, protocol events as marks, client operations as bars coloured by outcome — that opens at
 * the violation a checker found, with the operations of its explanation highlighted.
 */
package io.lockstep.timeline;
