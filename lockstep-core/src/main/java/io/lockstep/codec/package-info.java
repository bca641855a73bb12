/**
 * A small, strict binary encoding (big-endian, length-prefixed) shared by the executor's snapshot
 * format and by state machines' command codecs. Decoding treats input as untrusted.
 */
package io.lockstep.codec;
