/** The paper's mutex with time-outs (§5.2): a lock that bounds every holder's time. */
package io.lockstep.examples.mutex;
