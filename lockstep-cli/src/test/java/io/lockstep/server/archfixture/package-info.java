/** A fixture for the protocol-neutrality rule: runtime-package code that breaks it. */
package io.lockstep.server.archfixture;
