/**
 * Identity: each replica and each client holds its own key pair, and a message that must
 * convince a third party carries its sender's signature (paper §3.1's authenticated agreement;
 * the Byzantine protocols' view changes and checkpoint certificates). Protocol cores sign and
 * verify through {@link io.lockstep.identity.Signer} only, so the same core runs with real keys
 * in the server and with seeded keys in the simulator.
 */
package io.lockstep.identity;
