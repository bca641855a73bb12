/** The paper's memory with per-client write ranges (§5.2, defensive programming). */
package io.lockstep.examples.memory;
