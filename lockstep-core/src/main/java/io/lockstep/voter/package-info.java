/** Output voting in clients and output devices (paper §4, S13). */
package io.lockstep.voter;
