/**
 * The transport (X3, X5): framed, checksummed, authenticated TCP between replicas
 * ({@link io.lockstep.net.PeerNetwork}) and between clients and replicas
 * ({@link io.lockstep.net.FrameServer}, {@link io.lockstep.net.FrameClient}), on Netty. It moves
 * opaque {@code byte[]} payloads; what they mean is the codec's business.
 *
 * <h2>Wire format</h2>
 * Every frame is {@code [magic u16 "LS"][version u8][flags u8][length u32][crc32c u32][payload]}
 * ({@link io.lockstep.net.Frames}). Garbage, unknown versions, oversized lengths (refused from the
 * header, before allocating), bad checksums and truncated frames close the connection with a
 * counted, logged {@link io.lockstep.net.RejectReason}; nothing is thrown into the replica.
 *
 * <h2>Authentication (shared-secret HMAC, chosen over mutual TLS)</h2>
 * Each connection starts with a handshake: both sides send a hello (role, cluster, id, fresh
 * nonce) and then prove knowledge of the secret with HMAC-SHA256 over both hellos; afterwards
 * every data frame carries a 128-bit HMAC under a per-connection, per-direction key with an
 * implicit sequence number, so frames cannot be forged, altered, reordered or replayed. Why not
 * TLS: no certificates to issue, rotate and distribute for a cluster of a handful of machines, no
 * native TLS provider to configure, and the cost is one HMAC per frame. What it does not give is
 * confidentiality: payloads travel in clear. Run the cluster on a private network or inside a
 * WireGuard/TLS tunnel when the data is secret. The full threat model is in the documentation of
 * the package-private {@code SecureSession}; in short, an attacker without the secret can make
 * connections fail but can neither join nor inject, alter or replay anything.
 *
 * <h2>Setting it up</h2>
 * <ul>
 *   <li>Replicas: generate one secret per cluster, 32 random bytes (e.g. {@code head -c 32
 *       /dev/urandom | base64}), give it to every replica and to no client, and pass it as
 *       {@link io.lockstep.net.PeerConfig#secret()} together with the cluster name (which keeps
 *       two clusters on one network apart).
 *   <li>Clients: prefer {@link io.lockstep.net.ClientAuth#perClient} (a secret per client id, each
 *       revocable alone); {@link io.lockstep.net.ClientAuth#shared} for one secret among all
 *       clients; {@link io.lockstep.net.ClientAuth#none} only where every client is trusted. A
 *       client that has a secret refuses a server that does not prove it.
 * </ul>
 *
 * <h2>Threads and bounds</h2>
 * Each endpoint has one acceptor thread (servers) and {@link io.lockstep.net.NetOptions#ioThreads()}
 * I/O threads (default 2, or 1 on a 1-core machine). Handlers run on I/O threads and must hand
 * work to the replica's loop thread. Sends never block: bounded queues (messages and bytes) per
 * destination, a socket write-buffer high water mark, a cap on inbound connections, hello-sized
 * frames until a peer is authenticated, and a handshake deadline. Queued messages are written and
 * flushed once per event-loop turn, so many small messages share one syscall.
 */
package io.lockstep.net;
