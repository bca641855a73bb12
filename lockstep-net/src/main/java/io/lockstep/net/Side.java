package io.lockstep.net;

/**
 * Which end of a TCP connection a session is. Each side's proof and MAC key are bound to its side,
 * so that a message one side produced can never be reflected back as the other side's.
 */
enum Side {
  /** The end that called connect(). */
  DIALER,
  /** The end that accepted the connection. */
  ACCEPTOR;

  Side other() {
    return this == DIALER ? ACCEPTOR : DIALER;
  }
}
