/**
 * A replicated key-value service that existing Redis clients use unchanged (RESP2; X6).
 *
 * <p>Layers, in the order a request travels (named after the paper's steps):
 * <ol>
 *   <li><b>Wire</b>: {@link io.lockstep.redis.RespDecoder} turns bytes into
 *       {@link io.lockstep.redis.RespCommand}s (arrays of bulk strings and inline lines, with
 *       {@link io.lockstep.redis.RespLimits}); {@link io.lockstep.redis.RespEncoder} writes
 *       {@link io.lockstep.redis.RespReply}s.
 *   <li><b>Commands</b>: {@link io.lockstep.redis.RedisCommands} checks syntax and arity as Redis
 *       does and sorts each command into a write (replicated), a read (ReadIndex, then
 *       {@code query}) or a local reply (PING, HELLO, CLIENT, INFO…).
 *   <li><b>Replica</b>: a {@link io.lockstep.redis.RedisBackend}, implemented by the replica
 *       server, orders writes, serves reads linearizably and reports status
 *       ({@link io.lockstep.redis.ReplicaInfo}).
 *   <li><b>State machine</b>: {@link io.lockstep.redis.RedisStore} executes
 *       {@link io.lockstep.redis.RedisOp}s (encoded by {@link io.lockstep.redis.RedisOpCodec})
 *       deterministically, with expiry driven by agreed time only, and answers with RESP2 bytes.
 * </ol>
 * {@link io.lockstep.redis.RedisServer} wires the wire and command layers onto Netty for one
 * replica's Redis port.
 *
 * <p>Supported: GET, SET (NX | XX | IFEQ | IFNE, GET, EX | PX | EXAT | PXAT | KEEPTTL), DEL,
 * EXISTS, INCR, INCRBY, DECR, DECRBY, MGET, MSET, EXPIRE | PEXPIRE | EXPIREAT | PEXPIREAT
 * (NX | XX | GT | LT), PERSIST, TTL, PTTL, EXPIRETIME, PEXPIRETIME (ordered, so that they read
 * the agreed time of their own position), transactions MULTI, EXEC, DISCARD (EXEC is one
 * ordered write; WATCH is refused, UNWATCH answers OK), and the connection commands PING,
 * ECHO, HELLO (protocol 2 only), AUTH (with or without a password, as Redis's requirepass), CLIENT
 * SETNAME | GETNAME | ID | INFO | SETINFO, SELECT 0, INFO, COMMAND, QUIT. Anything else gets
 * Redis's "unknown command" error.
 */
package io.lockstep.redis;
