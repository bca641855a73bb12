package io.lockstep.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.machine.ClientId;
import io.lockstep.order.Role;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RedisCommandsTest {
  private final ReplicaInfo info = new ReplicaInfo.Fixed(2, Role.FOLLOWER, 7, 1, 40, 38);
  private final RedisCommands commands = new RedisCommands(() -> info, () -> 3);
  private final ClientSession session =
      new ClientSession(5, ClientId.of("redis-test/5"), "127.0.0.1:5555", 7001);

  private RedisCommands.Action dispatch(String... args) {
    return commands.dispatch(RespCommand.of(args), session);
  }

  private RespReply reply(String... args) {
    RedisCommands.Action action = dispatch(args);
    assertThat(action).isInstanceOf(RedisCommands.Action.Reply.class);
    return ((RedisCommands.Action.Reply) action).reply();
  }

  private RedisOp encodedOp(String... args) {
    RedisCommands.Action action = dispatch(args);
    byte[] bytes = action instanceof RedisCommands.Action.Write w ? w.command()
        : ((RedisCommands.Action.Read) action).query();
    return RedisOpCodec.decode(bytes);
  }

  private static RespReply.Error error(String message) {
    return new RespReply.Error(message);
  }

  @Test
  void readsWritesAndLocalCommandsAreClassifiedWithoutRunningThem() {
    assertThat(commands.kind(RespCommand.of("GeT", "k"))).isEqualTo(RedisCommands.Kind.READ);
    assertThat(commands.kind(RespCommand.of("mget", "k"))).isEqualTo(RedisCommands.Kind.READ);
    assertThat(commands.kind(RespCommand.of("SET", "k", "v"))).isEqualTo(RedisCommands.Kind.WRITE);
    assertThat(commands.kind(RespCommand.of("INCR", "k"))).isEqualTo(RedisCommands.Kind.WRITE);
    assertThat(commands.kind(RespCommand.of("CLIENT", "SETNAME", "x")))
        .isEqualTo(RedisCommands.Kind.LOCAL);
    assertThat(commands.kind(RespCommand.of("FLUSHALL"))).isEqualTo(RedisCommands.Kind.LOCAL);
    assertThat(session.name()).isEmpty();
    assertThat(dispatch("get", "k")).isInstanceOf(RedisCommands.Action.Read.class);
    assertThat(dispatch("set", "k", "v")).isInstanceOf(RedisCommands.Action.Write.class);
  }

  @Test
  void unknownCommandErrorQuotesTheNameAndArgumentsAsRedisDoes() {
    assertThat(reply("FLUSHALL")).isEqualTo(
        error("ERR unknown command 'FLUSHALL', with args beginning with: "));
    assertThat(reply("foo", "a", "b c")).isEqualTo(
        error("ERR unknown command 'foo', with args beginning with: 'a' 'b c' "));
    RespReply.Error longArgs = (RespReply.Error) reply("foo", "x".repeat(200), "y");
    assertThat(longArgs.message()).isEqualTo("ERR unknown command 'foo', with args beginning "
        + "with: '" + "x".repeat(128) + "' ");
  }

  @Test
  void wrongArityNamesTheCommandInLowerCase() {
    assertThat(reply("GET")).isEqualTo(error("ERR wrong number of arguments for 'get' command"));
    assertThat(reply("GET", "a", "b"))
        .isEqualTo(error("ERR wrong number of arguments for 'get' command"));
    assertThat(reply("SET", "k")).isEqualTo(error("ERR wrong number of arguments for 'set' command"));
    assertThat(reply("MSET", "a", "1", "b"))
        .isEqualTo(error("ERR wrong number of arguments for 'mset' command"));
    assertThat(reply("PING", "a", "b"))
        .isEqualTo(error("ERR wrong number of arguments for 'ping' command"));
    assertThat(reply("CLIENT", "SETNAME"))
        .isEqualTo(error("ERR wrong number of arguments for 'client|setname' command"));
  }

  @Test
  void setOptionsParseLikeRedis() {
    assertThat(encodedOp("set", "k", "v", "nx", "px", "100")).satisfies(op -> {
      RedisOp.Set s = (RedisOp.Set) op;
      assertThat(s.condition()).isEqualTo(RedisOp.Condition.NX);
      assertThat(s.expiry()).isEqualTo(RedisOp.Expiry.RELATIVE);
      assertThat(s.expiryMillis()).isEqualTo(100);
    });
    assertThat(((RedisOp.Set) encodedOp("SET", "k", "v", "EX", "2", "XX", "GET")).expiryMillis())
        .isEqualTo(2000);
    RedisOp.Set ifeq = (RedisOp.Set) encodedOp("SET", "k", "new", "IFEQ", "old");
    assertThat(ifeq.condition()).isEqualTo(RedisOp.Condition.IFEQ);
    assertThat(new String(ifeq.match())).isEqualTo("old");
    RedisOp.Set at = (RedisOp.Set) encodedOp("SET", "k", "v", "EXAT", "1700000000");
    assertThat(at.expiry()).isEqualTo(RedisOp.Expiry.ABSOLUTE);
    assertThat(at.expiryMillis()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void setSyntaxErrorsAreAnsweredLocallyWithRedisMessages() {
    String syntax = "ERR syntax error";
    assertThat(reply("SET", "k", "v", "NX", "XX")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "EX", "1", "PX", "1")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "EX")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "IFEQ")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "NX", "IFEQ", "x")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "KEEPTTL", "PX", "5")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "BOGUS")).isEqualTo(error(syntax));
    assertThat(reply("SET", "k", "v", "EX", "ten"))
        .isEqualTo(error("ERR value is not an integer or out of range"));
    assertThat(reply("SET", "k", "v", "PX", "0"))
        .isEqualTo(error("ERR invalid expire time in 'set' command"));
    assertThat(reply("SET", "k", "v", "EX", Long.toString(Long.MAX_VALUE / 100)))
        .isEqualTo(error("ERR invalid expire time in 'set' command"));
  }

  @Test
  void expireFamilyParsesLikeRedisAndTtlFamilyIsOrderedToReadTheAgreedTime() {
    RedisOp.ExpireKey e = (RedisOp.ExpireKey) encodedOp("EXPIRE", "k", "10");
    assertThat(e.command()).isEqualTo(RedisOp.ExpireCommand.EXPIRE);
    assertThat(e.millis()).isEqualTo(10_000);
    assertThat(e.options()).isEmpty();
    RedisOp.ExpireKey p = (RedisOp.ExpireKey) encodedOp("pexpire", "k", "-5", "xx", "Gt", "XX");
    assertThat(p.millis()).isEqualTo(-5);
    assertThat(p.options()).containsExactlyInAnyOrder(RedisOp.ExpireOption.XX,
        RedisOp.ExpireOption.GT);
    assertThat(((RedisOp.ExpireKey) encodedOp("EXPIREAT", "k", "1700000000")).millis())
        .isEqualTo(1_700_000_000_000L);
    assertThat(((RedisOp.ExpireKey) encodedOp("PEXPIREAT", "k", "9223372036854775807")).millis())
        .isEqualTo(Long.MAX_VALUE);
    assertThat(((RedisOp.ExpireKey) encodedOp("EXPIRE", "k", "-9223372036854775")).millis())
        .as("the most negative seconds that convert").isEqualTo(-9_223_372_036_854_775_000L);
    assertThat(encodedOp("PERSIST", "k")).isInstanceOf(RedisOp.Persist.class);
    for (String ttl : List.of("TTL", "pttl", "ExpireTime", "PEXPIRETIME")) {
      assertThat(commands.kind(RespCommand.of(ttl, "k"))).as("ordered, to read agreed time")
          .isEqualTo(RedisCommands.Kind.WRITE);
      assertThat(((RedisOp.Ttl) encodedOp(ttl, "k")).command().name())
          .isEqualTo(ttl.toUpperCase(java.util.Locale.ROOT));
    }
    for (String write : List.of("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")) {
      assertThat(commands.kind(RespCommand.of(write, "k", "1")))
          .isEqualTo(RedisCommands.Kind.WRITE);
    }
    assertThat(commands.kind(RespCommand.of("PERSIST", "k"))).isEqualTo(RedisCommands.Kind.WRITE);
  }

  @Test
  void expireFamilyErrorsAreAnsweredLocallyWithRedisMessagesInRedisOrder() {
    assertThat(reply("EXPIRE", "k", "10", "NX", "XX")).isEqualTo(
        error("ERR NX and XX, GT or LT options at the same time are not compatible"));
    assertThat(reply("EXPIRE", "k", "10", "LT", "NX")).isEqualTo(
        error("ERR NX and XX, GT or LT options at the same time are not compatible"));
    assertThat(reply("PEXPIRE", "k", "10", "GT", "LT"))
        .isEqualTo(error("ERR GT and LT options at the same time are not compatible"));
    assertThat(reply("EXPIRE", "k", "10", "nx", "Bogus"))
        .isEqualTo(error("ERR Unsupported option Bogus"));
    assertThat(reply("EXPIRE", "k", "ten", "Bogus")).as("options are checked first")
        .isEqualTo(error("ERR Unsupported option Bogus"));
    assertThat(reply("EXPIRE", "k", "ten"))
        .isEqualTo(error("ERR value is not an integer or out of range"));
    assertThat(reply("PEXPIRE", "k", "1.5"))
        .isEqualTo(error("ERR value is not an integer or out of range"));
    assertThat(reply("EXPIRE", "k", "9223372036854776"))
        .isEqualTo(error("ERR invalid expire time in 'expire' command"));
    assertThat(reply("expireat", "k", "-9223372036854776"))
        .isEqualTo(error("ERR invalid expire time in 'expireat' command"));
    assertThat(reply("EXPIRE", "k"))
        .isEqualTo(error("ERR wrong number of arguments for 'expire' command"));
    assertThat(reply("TTL")).isEqualTo(error("ERR wrong number of arguments for 'ttl' command"));
    assertThat(reply("PTTL", "a", "b"))
        .isEqualTo(error("ERR wrong number of arguments for 'pttl' command"));
    assertThat(reply("PERSIST", "a", "b"))
        .isEqualTo(error("ERR wrong number of arguments for 'persist' command"));
  }

  @Test
  void numericArgumentsAreCheckedBeforeReplication() {
    assertThat(reply("INCRBY", "k", "x"))
        .isEqualTo(error("ERR value is not an integer or out of range"));
    assertThat(reply("DECRBY", "k", Long.toString(Long.MIN_VALUE)))
        .isEqualTo(error("ERR decrement would overflow"));
    assertThat(((RedisOp.IncrBy) encodedOp("DECR", "k")).delta()).isEqualTo(-1);
  }

  @Test
  void pingEchoSelectAndQuitAreAnsweredLocally() {
    assertThat(reply("PING")).isEqualTo(RespReply.PONG);
    assertThat(reply("ping", "hi")).isEqualTo(RespReply.bulk("hi"));
    assertThat(reply("ECHO", "x y")).isEqualTo(RespReply.bulk("x y"));
    assertThat(reply("SELECT", "0")).isEqualTo(RespReply.OK);
    assertThat(reply("SELECT", "1")).isEqualTo(error("ERR DB index is out of range"));
    assertThat(dispatch("QUIT")).isEqualTo(new RedisCommands.Action.Reply(RespReply.OK, true));
  }

  @Test
  void clientSetnameGetnameAndSetinfoUpdateTheSession() {
    assertThat(reply("CLIENT", "GETNAME")).isEqualTo(RespReply.NIL);
    assertThat(reply("CLIENT", "SETNAME", "worker-1")).isEqualTo(RespReply.OK);
    assertThat(reply("client", "getname")).isEqualTo(RespReply.bulk("worker-1"));
    assertThat(reply("CLIENT", "SETNAME", "has space")).isEqualTo(
        error("ERR Client names cannot contain spaces, newlines or special characters."));
    assertThat(session.name()).isEqualTo("worker-1");
    assertThat(reply("CLIENT", "ID")).isEqualTo(new RespReply.Int(5));
    assertThat(reply("CLIENT", "SETINFO", "LIB-NAME", "jedis")).isEqualTo(RespReply.OK);
    assertThat(reply("CLIENT", "SETINFO", "COLOR", "red"))
        .isEqualTo(error("ERR Unrecognized option 'COLOR'"));
    assertThat(((RespReply.Bulk) reply("CLIENT", "INFO")).text())
        .contains("id=5", "name=worker-1", "lib-name=jedis");
    assertThat(reply("CLIENT", "KILL"))
        .isEqualTo(error("ERR unknown subcommand 'KILL'. Try CLIENT HELP."));
  }

  @Test
  void infoReportsRoleProcessTermCommitAndAppliedPositions() {
    String text = ((RespReply.Bulk) reply("INFO")).text();
    assertThat(text).contains("# Server\r\n", "process_id:" + ProcessHandle.current().pid(),
        "tcp_port:7001", "connected_clients:3", "# Replication\r\n", "role:follower\r\n",
        "replica_id:2\r\n", "leader_id:1\r\n", "term:7\r\n", "commit_index:40\r\n",
        "applied_position:38\r\n");
    String replication = ((RespReply.Bulk) reply("INFO", "replication")).text();
    assertThat(replication).startsWith("# Replication\r\n").doesNotContain("# Server");
  }

  @Test
  void infoShowsCandidateForBothCandidateRolesAndExtraLines() {
    ReplicaInfo pre = new ReplicaInfo() {
      public int replicaId() {
        return 1;
      }

      public Role role() {
        return Role.PRE_CANDIDATE;
      }

      public long term() {
        return 3;
      }

      public int leader() {
        return -1;
      }

      public long commitIndex() {
        return 0;
      }

      public long appliedPosition() {
        return 0;
      }

      @Override
      public Map<String, String> extra() {
        return Map.of("last_index", "9");
      }
    };
    RedisCommands c = new RedisCommands(() -> pre, () -> 1);
    String text = ((RespReply.Bulk) ((RedisCommands.Action.Reply) c.dispatch(
        RespCommand.of("INFO"), session)).reply()).text();
    assertThat(text).contains("role:candidate\r\n", "protocol_role:pre_candidate\r\n",
        "# Lockstep\r\nlast_index:9\r\n");
  }

  @Test
  void helloSpeaksOnlyResp2() {
    RespReply.Array hello = (RespReply.Array) reply("HELLO", "2", "SETNAME", "me");
    assertThat(hello.items()).contains(RespReply.bulk("proto"), new RespReply.Int(2));
    assertThat(session.name()).isEqualTo("me");
    assertThat(reply("HELLO", "3")).isEqualTo(error("NOPROTO unsupported protocol version"));
    assertThat(reply("HELLO", "2", "AUTH", "default", "anything")).isInstanceOf(RespReply.Array.class);
    assertThat(reply("AUTH", "secret")).isInstanceOf(RespReply.Error.class);
  }

  @Test
  void commandIntrospectionListsTheTable() {
    RespReply.Int count = (RespReply.Int) reply("COMMAND", "COUNT");
    assertThat(count.value()).isEqualTo(CommandTable.all().size());
    assertThat(((RespReply.Array) reply("COMMAND")).items()).hasSize((int) count.value());
    assertThat(reply("COMMAND", "DOCS")).isEqualTo(new RespReply.Array(java.util.List.of()));
    assertThat(((RespReply.Array) reply("COMMAND", "INFO", "get", "nope")).items().get(1))
        .isEqualTo(RespReply.NIL_ARRAY);
  }

  @Test
  void backendFailuresBecomeRedisErrorsWithTheirCode() {
    assertThat(RedisCommands.failureReply(new CompletionException(
        new BackendException.Rejected("ERR value is not an integer or out of range"))))
        .isEqualTo(error("ERR value is not an integer or out of range"));
    assertThat(RedisCommands.failureReply(new BackendException.Rejected("unknown or expired session")))
        .isEqualTo(error("ERR unknown or expired session"));
    assertThat(RedisCommands.failureReply(new BackendException.NotLeader(3, "10.0.0.3:7003")))
        .isEqualTo(error("NOTLEADER this replica is not the leader; the leader is replica 3 at "
            + "10.0.0.3:7003"));
    assertThat(((RespReply.Error) RedisCommands.failureReply(
        new BackendException.Indeterminate("no commit within 5 s"))).message())
        .startsWith("TIMEOUT ").contains("may or may not", "no commit within 5 s");
    assertThat(((RespReply.Error) RedisCommands.failureReply(new IllegalStateException("boom")))
        .message()).isEqualTo("ERR internal error: IllegalStateException: boom");
  }

  @Test
  void malformedOutputsAreReportedAsInternalErrorsNotSentAsBrokenProtocol() {
    assertThat(RedisCommands.outputReply("+OK\r\n".getBytes())).isEqualTo(RespReply.OK);
    assertThat(RedisCommands.outputReply("garbage".getBytes()))
        .isInstanceOf(RespReply.Error.class);
  }

  @Test
  void writesTooLargeForOneLogEntryAreRefusedBeforeReplication() {
    String big = "x".repeat(io.lockstep.request.Request.MAX_COMMAND_BYTES);
    assertThat(((RespReply.Error) reply("SET", "k", big)).message())
        .startsWith("ERR command too large");
    assertThat(dispatch("GET", big)).isInstanceOf(RedisCommands.Action.Read.class);
  }

  @Test
  void execIsAWriteSoTheConnectionHoldsItUntilEarlierReadsComplete() {
    assertThat(commands.kind(RespCommand.of("EXEC"))).isEqualTo(RedisCommands.Kind.WRITE);
    assertThat(commands.kind(RespCommand.of("MULTI"))).isEqualTo(RedisCommands.Kind.LOCAL);
    assertThat(reply("MULTI")).isEqualTo(RespReply.OK);
    assertThat(reply("GET", "k")).isEqualTo(new RespReply.Simple("QUEUED"));
    RedisOp op = encodedOp("EXEC");
    assertThat(op).isInstanceOf(RedisOp.Multi.class);
    assertThat(((RedisOp.Multi) op).ops()).singleElement().isInstanceOf(RedisOp.Get.class);
    assertThat(session.inTransaction()).isFalse();
  }

  @Test
  void aTransactionTooLargeForOneLogEntryIsRefusedAtExecAndDiscarded() {
    String half = "x".repeat(io.lockstep.request.Request.MAX_COMMAND_BYTES / 2);
    reply("MULTI");
    for (int i = 0; i < 3; i++) {
      assertThat(reply("SET", "k" + i, half)).isEqualTo(new RespReply.Simple("QUEUED"));
    }
    assertThat(session.transaction().queued()).as("memory is bounded while queuing").isEmpty();
    assertThat(((RespReply.Error) reply("EXEC")).message())
        .startsWith("ERR transaction too large").endsWith("it was discarded");
    assertThat(session.inTransaction()).isFalse();
    assertThat(dispatch("SET", "k", "v")).isInstanceOf(RedisCommands.Action.Write.class);
  }

  @Test
  void quitInsideMultiClosesAndUnknownCommandsFailTheTransaction() {
    reply("MULTI");
    assertThat(reply("FLUSHALL")).isInstanceOf(RespReply.Error.class);
    assertThat(reply("EXEC")).isEqualTo(error(TransactionCommands.EXECABORT));
    reply("MULTI");
    RedisCommands.Action quit = dispatch("QUIT");
    assertThat(quit).isEqualTo(new RedisCommands.Action.Reply(RespReply.OK, true));
  }

  @Test
  void insideMultiDataCommandsAreAnsweredLocallyAndOnlyExecIsAWrite() {
    assertThat(commands.kind(RespCommand.of("GET", "k"), session))
        .isEqualTo(RedisCommands.Kind.READ);
    dispatch("MULTI");
    assertThat(commands.kind(RespCommand.of("GET", "k"), session))
        .isEqualTo(RedisCommands.Kind.LOCAL);
    assertThat(commands.kind(RespCommand.of("SET", "k", "v"), session))
        .isEqualTo(RedisCommands.Kind.LOCAL);
    assertThat(commands.kind(RespCommand.of("EXEC"), session))
        .isEqualTo(RedisCommands.Kind.WRITE);
    dispatch("DISCARD");
    assertThat(commands.kind(RespCommand.of("SET", "k", "v"), session))
        .isEqualTo(RedisCommands.Kind.WRITE);
  }
}
