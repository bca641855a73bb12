/** A replicated key-value store: the example service most users start from (X6). */
package io.lockstep.examples.kv;
