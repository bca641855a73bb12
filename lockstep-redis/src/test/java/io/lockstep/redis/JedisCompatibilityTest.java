package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.machine.ClientId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.CompareCondition;

/**
 * A real Redis client (Jedis, from Maven Central) against {@link RedisServer} backed by one
 * in-process executor: proves compatibility with what clients actually send and expect.
 */
class JedisCompatibilityTest {
  private static final long T0 = 1_700_000_000_000L;
  private final AtomicLong clock = new AtomicLong(T0);
  private final List<AutoCloseable> open = new ArrayList<>();
  private InProcessBackend backend;
  private RedisServer server;

  private Jedis start(RedisServerConfig config) {
    backend = new InProcessBackend(new RedisStore(), clock::get);
    server = RedisServer.start(config, backend);
    open.add(server);
    open.add(backend);
    return connect();
  }

  private Jedis start() {
    return start(RedisServerConfig.defaults("127.0.0.1", 0));
  }

  private Jedis connect() {
    Jedis jedis = new Jedis("127.0.0.1", server.port());
    open.add(0, jedis);
    return jedis;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void setGetDelExistsAndPing() {
    Jedis jedis = start();
    assertThat(jedis.ping()).isEqualTo("PONG");
    assertThat(jedis.set("k", "v")).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("v");
    assertThat(jedis.get("missing")).isNull();
    assertThat(jedis.exists("k", "k", "missing")).isEqualTo(2);
    assertThat(jedis.del("k", "missing")).isEqualTo(1);
    assertThat(jedis.exists("k")).isFalse();
  }

  @Test
  void nxAndXxReplyNilWhenTheConditionFails() {
    Jedis jedis = start();
    assertThat(jedis.set("k", "1", SetParams.setParams().xx())).isNull();
    assertThat(jedis.set("k", "1", SetParams.setParams().nx())).isEqualTo("OK");
    assertThat(jedis.set("k", "2", SetParams.setParams().nx())).isNull();
    assertThat(jedis.set("k", "3", SetParams.setParams().xx())).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("3");
  }

  @Test
  void pxExpiryFollowsAgreedTimeNotTheWallClock() {
    Jedis jedis = start();
    assertThat(jedis.set("session", "s1", SetParams.setParams().px(100))).isEqualTo("OK");
    clock.set(T0 + 99);
    backend.tick();
    assertThat(jedis.get("session")).isEqualTo("s1");
    clock.set(T0 + 100);
    backend.tick();
    assertThat(jedis.get("session")).isNull();
    // A client's own request carrying a later time fires expiries too.
    jedis.set("other", "x", SetParams.setParams().ex(1));
    clock.set(T0 + 1_100);
    jedis.set("unrelated", "y");
    assertThat(jedis.exists("other")).isFalse();
  }

  @Test
  void expireAndTtlCountDownInAgreedTimeAndTheTimeoutRemovesTheKey() {
    Jedis jedis = start();
    jedis.set("k", "v");
    assertThat(jedis.ttl("k")).isEqualTo(-1);
    assertThat(jedis.ttl("missing")).isEqualTo(-2);
    assertThat(jedis.expire("missing", 10)).isZero();
    assertThat(jedis.expire("k", 10)).isEqualTo(1);
    assertThat(jedis.ttl("k")).isEqualTo(10);
    assertThat(jedis.pttl("k")).isEqualTo(10_000);
    clock.set(T0 + 2_500);
    assertThat(jedis.pttl("k")).as("ordered: counts down on an idle store too").isEqualTo(7_500);
    assertThat(jedis.ttl("k")).as("7.5 s rounds to 8, as Redis rounds").isEqualTo(8);
    clock.set(T0 + 10_000);
    backend.tick();
    assertThat(jedis.exists("k")).isFalse();
    assertThat(jedis.ttl("k")).isEqualTo(-2);
  }

  @Test
  void pexpireExpireatPexpireatExpiretimeAndPexpiretime() {
    Jedis jedis = start();
    jedis.set("k", "v");
    assertThat(jedis.pexpire("k", 1_500)).isEqualTo(1);
    assertThat(jedis.pexpireTime("k")).isEqualTo(T0 + 1_500);
    assertThat(jedis.expireTime("k")).isEqualTo(T0 / 1000 + 2);
    assertThat(jedis.expireAt("k", T0 / 1000 + 60)).isEqualTo(1);
    assertThat(jedis.pttl("k")).isEqualTo(60_000);
    assertThat(jedis.pexpireAt("k", T0 + 250)).isEqualTo(1);
    assertThat(jedis.expireTime("k")).isEqualTo(T0 / 1000);
    assertThat(jedis.pexpireTime("k")).isEqualTo(T0 + 250);
    assertThat(jedis.pexpireTime("missing")).isEqualTo(-2);
    jedis.set("plain", "v");
    assertThat(jedis.expireTime("plain")).isEqualTo(-1);
    assertThat(jedis.expireAt("plain", T0 / 1000 - 1)).as("a past time deletes the key")
        .isEqualTo(1);
    assertThat(jedis.exists("plain")).isFalse();
    clock.set(T0 + 250);
    backend.tick();
    assertThat(jedis.exists("k")).isFalse();
  }

  @Test
  void expiryOptionsAndPersistThroughJedis() {
    Jedis jedis = start();
    jedis.set("k", "v");
    assertThat(jedis.expire("k", 100, ExpiryOption.XX)).as("XX without TTL").isZero();
    assertThat(jedis.expire("k", 100, ExpiryOption.GT)).as("GT without TTL").isZero();
    assertThat(jedis.expire("k", 100, ExpiryOption.NX)).isEqualTo(1);
    assertThat(jedis.expire("k", 200, ExpiryOption.NX)).isZero();
    assertThat(jedis.pexpire("k", 200_000, ExpiryOption.GT)).isEqualTo(1);
    assertThat(jedis.pexpire("k", 300_000, ExpiryOption.LT)).isZero();
    assertThat(jedis.expireAt("k", T0 / 1000 + 50, ExpiryOption.LT)).isEqualTo(1);
    assertThat(jedis.pexpireAt("k", T0 + 60_000, ExpiryOption.XX)).isEqualTo(1);
    assertThat(jedis.ttl("k")).isEqualTo(60);
    assertThat(jedis.persist("k")).isEqualTo(1);
    assertThat(jedis.persist("k")).isZero();
    assertThat(jedis.persist("missing")).isZero();
    assertThat(jedis.ttl("k")).isEqualTo(-1);
    clock.set(T0 + 120_000);
    backend.tick();
    assertThat(jedis.get("k")).as("PERSIST outlives the old time-out").isEqualTo("v");
  }

  @Test
  void expiryErrorsAreRedisErrors() {
    Jedis jedis = start();
    jedis.set("k", "v");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.EXPIRE, "k", "10", "FOO"))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR Unsupported option FOO");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.EXPIRE, "k", "10", "NX", "GT"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR NX and XX, GT or LT options at the same time are not compatible");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.PEXPIRE, "k", "ten"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR value is not an integer or out of range");
    assertThatThrownBy(() -> jedis.expire("k", Long.MAX_VALUE))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR invalid expire time in 'expire' command");
    assertThatThrownBy(() -> jedis.pexpire("k", Long.MAX_VALUE))
        .as("overflow of the agreed time plus the TTL, found by the replicated store")
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR invalid expire time in 'pexpire' command");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.TTL))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR wrong number of arguments for 'ttl' command");
    assertThat(jedis.ttl("k")).as("nothing changed").isEqualTo(-1);
  }

  @Test
  void ifeqIsCompareAndSetThroughJedisParamsAndRawCommands() {
    Jedis jedis = start();
    jedis.set("k", "old");
    assertThat(jedis.set("k", "new", SetParams.setParams().condition(CompareCondition.valueEq("x"))))
        .isNull();
    assertThat(jedis.set("k", "new",
        SetParams.setParams().condition(CompareCondition.valueEq("old")))).isEqualTo("OK");
    assertThat(jedis.sendCommand(Protocol.Command.SET, "k", "newer", "IFEQ", "old")).isNull();
    Object ok = jedis.sendCommand(Protocol.Command.SET, "k", "newer", "IFEQ", "new");
    assertThat(new String((byte[]) ok, StandardCharsets.UTF_8)).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("newer");
    assertThat(jedis.sendCommand(Protocol.Command.SET, "absent", "v", "IFEQ", "v")).isNull();
    assertThat(jedis.exists("absent")).isFalse();
  }

  @Test
  void incrAndIncrbyCountAndRefuseNonIntegersLikeRedis() {
    Jedis jedis = start();
    assertThat(jedis.incr("n")).isEqualTo(1);
    assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
    assertThat(jedis.decrBy("n", 2)).isEqualTo(40);
    jedis.set("s", "abc");
    assertThatThrownBy(() -> jedis.incr("s")).isInstanceOf(JedisDataException.class)
        .hasMessage("ERR value is not an integer or out of range");
    assertThat(jedis.get("s")).isEqualTo("abc");
  }

  @Test
  void msetAndMget() {
    Jedis jedis = start();
    assertThat(jedis.mset("a", "1", "b", "2")).isEqualTo("OK");
    assertThat(jedis.mget("a", "nope", "b")).containsExactly("1", null, "2");
  }

  @Test
  void binaryKeysAndValuesRoundTrip() {
    Jedis jedis = start();
    byte[] key = {0, 1, '\r', '\n', (byte) 0xFF};
    byte[] value = new byte[1000];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    jedis.set(key, value);
    assertThat(jedis.get(key)).isEqualTo(value);
  }

  @Test
  void infoShowsRoleProcessTermCommitAndApplied() {
    Jedis jedis = start();
    jedis.set("k", "v");
    String info = jedis.info();
    assertThat(info).contains("role:leader", "process_id:" + ProcessHandle.current().pid(),
        "term:1", "commit_index:1", "applied_position:1", "connected_clients:1",
        "tcp_port:" + server.port());
    assertThat(jedis.info("replication")).contains("role:leader").doesNotContain("process_id");
  }

  @Test
  void clientSetnameAndGetname() {
    Jedis jedis = start();
    assertThat(jedis.clientSetname("reporting")).isEqualTo("OK");
    assertThat(jedis.clientGetname()).isEqualTo("reporting");
    assertThatThrownBy(() -> jedis.clientSetname("two words"))
        .isInstanceOf(JedisDataException.class).hasMessageContaining("cannot contain spaces");
  }

  @Test
  void unknownCommandsAndWrongArityGetRedisErrors() {
    Jedis jedis = start();
    ProtocolCommand foo = () -> "FOO".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> jedis.sendCommand(foo, "a", "b"))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.GET))
        .isInstanceOf(JedisDataException.class)
        .hasMessage("ERR wrong number of arguments for 'get' command");
    assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "NX", "XX"))
        .isInstanceOf(JedisDataException.class).hasMessage("ERR syntax error");
    assertThat(jedis.ping()).as("errors leave the connection usable").isEqualTo("PONG");
  }

  @Test
  void pipelinedCommandsAreAnsweredInOrderAndReadTheirOwnWrites() {
    Jedis jedis = start();
    Pipeline pipeline = jedis.pipelined();
    for (int i = 0; i < 300; i++) {
      pipeline.incr("c");
      pipeline.get("c");
      pipeline.select(0);
    }
    List<Object> replies = pipeline.syncAndReturnAll();
    assertThat(replies).hasSize(900);
    for (int i = 0; i < 300; i++) {
      assertThat(replies.get(3 * i)).isEqualTo((long) i + 1);
      assertThat(replies.get(3 * i + 1)).isEqualTo(Integer.toString(i + 1));
      assertThat(replies.get(3 * i + 2)).isEqualTo("OK");
    }
  }

  @Test
  void backPressureKeepsLongPipelinesCorrect() {
    RedisServerConfig config = RedisServerConfig.defaults("127.0.0.1", 0);
    Jedis jedis = start(new RedisServerConfig(config.host(), 0, config.limits(), 10, 4, 1,
        config.clientIdPrefix()));
    Pipeline pipeline = jedis.pipelined();
    for (int i = 0; i < 500; i++) {
      pipeline.set("k" + i, "v" + i);
      pipeline.get("k" + i);
    }
    List<Object> replies = pipeline.syncAndReturnAll();
    for (int i = 0; i < 500; i++) {
      assertThat(replies.get(2 * i)).isEqualTo("OK");
      assertThat(replies.get(2 * i + 1)).isEqualTo("v" + i);
    }
    assertThat(server.stats().readPauses()).as("back-pressure engaged").isPositive();
  }

  @Test
  void protocolErrorIsAnsweredAfterEarlierCommandsThenTheConnectionCloses() throws IOException {
    start();
    assertThat(rawExchange("PING\r\n*1\r\n$x\r\nPING\r\n"))
        .isEqualTo("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
    assertThat(server.stats().protocolErrors()).isEqualTo(1);
    assertThat(connect().ping()).as("the server keeps serving others").isEqualTo("PONG");
  }

  @Test
  void quitRepliesOkAndCloses() throws IOException {
    start();
    assertThat(rawExchange("SET k v\r\nQUIT\r\nGET k\r\n")).isEqualTo("+OK\r\n+OK\r\n");
  }

  @Test
  void clientsBeyondMaxClientsAreRefusedWithRedisError() throws IOException {
    RedisServerConfig config = RedisServerConfig.defaults("127.0.0.1", 0);
    Jedis first = start(new RedisServerConfig(config.host(), 0, config.limits(), 1, 64, 1,
        config.clientIdPrefix()));
    assertThat(first.ping()).isEqualTo("PONG");
    assertThat(rawExchange("PING\r\n")).isEqualTo("-ERR max number of clients reached\r\n");
    assertThat(server.stats().refusedConnections()).isEqualTo(1);
  }

  @Test
  void backendOutcomesReachTheClientAsRedisErrors() {
    backend = new InProcessBackend(new RedisStore(), clock::get);
    RedisBackend failing = new RedisBackend() {
      @Override
      public CompletableFuture<byte[]> write(ClientId client, byte[] command) {
        return CompletableFuture.failedFuture(new BackendException.NotLeader(2, "10.0.0.2:7002"));
      }

      @Override
      public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
        return CompletableFuture.failedFuture(new BackendException.Indeterminate("no quorum"));
      }

      @Override
      public ReplicaInfo info() {
        return backend.info();
      }
    };
    server = RedisServer.start(RedisServerConfig.defaults("127.0.0.1", 0), failing);
    open.add(server);
    open.add(backend);
    Jedis jedis = connect();
    assertThatThrownBy(() -> jedis.set("k", "v")).isInstanceOf(JedisDataException.class)
        .hasMessage("NOTLEADER this replica is not the leader; the leader is replica 2 at "
            + "10.0.0.2:7002");
    assertThatThrownBy(() -> jedis.get("k")).isInstanceOf(JedisDataException.class)
        .hasMessageStartingWith("TIMEOUT outcome unknown");
  }

  /**
   * A backend over {@link #backend} whose first write fails with {@code failure}; it records
   * the identity of every write and every identity released.
   */
  private RedisBackend firstWriteFails(Exception failure, List<ClientId> writers,
      List<ClientId> released) {
    backend = new InProcessBackend(new RedisStore(), clock::get);
    return new RedisBackend() {
      @Override
      public CompletableFuture<byte[]> write(ClientId client, byte[] command) {
        writers.add(client);
        return writers.size() == 1 ? CompletableFuture.failedFuture(failure)
            : backend.write(client, command);
      }

      @Override
      public CompletableFuture<byte[]> read(ClientId client, byte[] query) {
        return backend.read(client, query);
      }

      @Override
      public ReplicaInfo info() {
        return backend.info();
      }

      @Override
      public void disconnected(ClientId client) {
        released.add(client);
      }
    };
  }

  private Jedis startOver(RedisBackend backendUnderTest) {
    server = RedisServer.start(RedisServerConfig.defaults("127.0.0.1", 0), backendUnderTest);
    open.add(server);
    open.add(backend);
    return connect();
  }

  @Test
  void afterAWriteWithAnUnknownOutcomeTheConnectionWritesUnderAFreshIdentity() {
    List<ClientId> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<ClientId> released = new java.util.concurrent.CopyOnWriteArrayList<>();
    Jedis jedis = startOver(firstWriteFails(new BackendException.Indeterminate("no quorum"),
        writers, released));
    assertThatThrownBy(() -> jedis.set("k", "1")).isInstanceOf(JedisDataException.class)
        .hasMessageStartingWith("TIMEOUT outcome unknown");
    // The unknown write's sequence number may never be ordered: were the next write issued
    // under the same identity as number 2, the executor would hold it behind the gap forever.
    assertThat(jedis.set("k", "2")).isEqualTo("OK");
    assertThat(jedis.set("k", "3")).isEqualTo("OK");
    assertThat(jedis.get("k")).isEqualTo("3");
    assertThat(writers).hasSize(3);
    assertThat(writers.get(1)).isNotEqualTo(writers.get(0)).isEqualTo(writers.get(2));
    assertThat(released).containsExactly(writers.get(0));
  }

  @Test
  void anExpiredSessionIsReportedAndTheConnectionContinuesUnderAFreshIdentity() {
    List<ClientId> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<ClientId> released = new java.util.concurrent.CopyOnWriteArrayList<>();
    Jedis jedis = startOver(firstWriteFails(new BackendException.SessionExpired(), writers,
        released));
    assertThatThrownBy(() -> jedis.set("k", "1")).isInstanceOf(JedisDataException.class)
        .hasMessageContaining("session expired").hasMessageContaining("retry the command");
    assertThat(jedis.set("k", "1")).isEqualTo("OK");
    assertThat(writers.get(1)).isNotEqualTo(writers.get(0));
    assertThat(released).containsExactly(writers.get(0));
  }

  @Test
  void withAPasswordEveryCommandWaitsForAuthAsWithRedisRequirepass() {
    Jedis anonymous = start(RedisServerConfig.defaults("127.0.0.1", 0).withPassword("s3cret"));
    assertThatThrownBy(() -> anonymous.get("k")).isInstanceOf(JedisDataException.class)
        .hasMessage("NOAUTH Authentication required.");
    assertThatThrownBy(() -> anonymous.auth("wrong")).isInstanceOf(JedisDataException.class)
        .hasMessageStartingWith("WRONGPASS");
    assertThatThrownBy(() -> anonymous.set("k", "v")).hasMessageStartingWith("NOAUTH");
    assertThat(anonymous.auth("s3cret")).isEqualTo("OK");
    assertThat(anonymous.set("k", "v")).isEqualTo("OK");
    try (Jedis configured = new Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1",
        server.port()), redis.clients.jedis.DefaultJedisClientConfig.builder()
        .password("s3cret").build())) {
      assertThat(configured.get("k")).as("a client configured with the password").isEqualTo("v");
    }
  }

  @Test
  void eachConnectionIsItsOwnClientAndItsCloseIsReported() throws Exception {
    Jedis a = start();
    Jedis b = connect();
    a.set("k", "1");
    b.set("k", "2");
    String idA = a.clientInfo();
    String idB = b.clientInfo();
    assertThat(idA).contains("lockstep-client=" + "redis-");
    assertThat(idA).isNotEqualTo(idB);
    b.close();
    for (int i = 0; i < 100 && backend.disconnectedCount() == 0; i++) {
      Thread.sleep(20);
    }
    assertThat(backend.disconnectedCount()).isEqualTo(1);
    assertThat(a.get("k")).isEqualTo("2");
  }

  @Test
  void startingOnATakenPortFailsWithAClearMessage() {
    start();
    assertThatThrownBy(() -> RedisServer.start(
        RedisServerConfig.defaults("127.0.0.1", server.port()), backend))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot listen for Redis clients on 127.0.0.1:" + server.port());
  }

  /** Sends {@code request} on a raw socket and reads until the server closes. */
  private String rawExchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[512];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.write(buffer, 0, n);
      }
      return received.toString(StandardCharsets.US_ASCII);
    }
  }
}
