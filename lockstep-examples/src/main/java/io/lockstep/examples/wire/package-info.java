/** A tiny checked binary encoding shared by the example state machines' codecs. */
package io.lockstep.examples.wire;
