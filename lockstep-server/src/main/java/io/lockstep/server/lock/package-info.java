/** The paper's lock service with time-outs (§5.2), served by a replica with service=lock. */
package io.lockstep.server.lock;
