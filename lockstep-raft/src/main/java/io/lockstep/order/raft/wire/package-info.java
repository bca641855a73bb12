/** The Raft protocol's wire form: the codec of its peer messages. */
package io.lockstep.order.raft.wire;
