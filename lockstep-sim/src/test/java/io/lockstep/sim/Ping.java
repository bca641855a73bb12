package io.lockstep.sim;

import io.lockstep.order.ProtocolMessage;

/** A trivial protocol message for network tests. */
record Ping(int n) implements ProtocolMessage {}
