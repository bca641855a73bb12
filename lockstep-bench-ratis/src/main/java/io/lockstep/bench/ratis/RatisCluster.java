package io.lockstep.bench.ratis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * A Ratis cluster of {@code peers} servers in this JVM on loopback, using Ratis's Netty transport
 * and a durable segmented log under a directory of its own, each server running a
 * {@link KvStateMachine}.
 *
 * <p>Durability (Ratis 3.3.0 keys, set explicitly even where they equal the defaults):
 * <ul>
 *   <li>{@code raft.server.log.use.memory = false}: the segmented file log, not the in-memory one.
 *   <li>{@code raft.server.log.unsafe-flush.enabled = false}: the log worker advances a server's
 *       flushIndex only after {@code FileChannel.force(false)} (fdatasync) returned, and a follower
 *       answers AppendEntries only when its append futures, which wait for that flush, completed.
 *       The leader commits at the majority minimum of followers' matchIndex and its own
 *       flushIndex, so every committed write is on disk on a majority before a client sees it.
 *   <li>{@code raft.server.log.force.sync.num = 128} (group commit): the worker syncs once its
 *       queue has no further append, or after 128 unsynced entries, whichever is first.
 *   <li>{@code raft.server.log.async-flush.enabled} (option, default false): true moves the
 *       fdatasync to a separate thread so appending overlaps syncing; flushIndex still advances
 *       only after the sync, so it keeps the guarantee above.
 *   <li>{@code raft.server.log.log-metadata.enabled} (option): Ratis's default true makes the
 *       leader append an extra entry recording each commitIndex advance; with one client that
 *       measured about 5 fdatasync calls per write against 2.6 without it. Raft's safety does not
 *       need a durable commitIndex (a restarted server relearns it from the leader), so the
 *       benchmark turns it off by default to give Ratis its best durable configuration.
 * </ul>
 * Metrics: Ratis 3.3.0 cannot start without a metrics implementation, so
 * {@code ratis-metrics-default} is on the class path, but no reporter is registered (JMX and
 * console reporters are opt-in and nothing here enables them): metrics cost only counter updates.
 */
public final class RatisCluster implements AutoCloseable {

  private static final Duration ELECTION_WAIT = Duration.ofSeconds(30);

  /**
   * How to build the cluster.
   *
   * @param peers number of servers (3 for the benchmark)
   * @param directory parent of the servers' storage directories (created if missing)
   * @param asyncFlush {@code raft.server.log.async-flush.enabled}
   * @param unsafeFlush {@code raft.server.log.unsafe-flush.enabled}: true acknowledges before
   *     the fsync and is NOT durable; only for measuring what fsync costs
   * @param linearizableReads {@code raft.server.read.option = LINEARIZABLE} (read index on the
   *     leader) instead of {@code DEFAULT} (leader answers from its state machine directly)
   * @param logMetadata {@code raft.server.log.log-metadata.enabled}: the leader also appends
   *     entries recording its commitIndex (for faster restart), which Raft's safety does not need
   */
  public record Options(int peers, Path directory, boolean asyncFlush, boolean unsafeFlush,
      boolean linearizableReads, boolean logMetadata) {
    /** Validates the options. */
    public Options {
      if (peers < 1) {
        throw new IllegalArgumentException("peers must be at least 1, got " + peers);
      }
      Objects.requireNonNull(directory, "directory must not be null");
    }
  }

  private final Options options;
  private final RaftGroup group;
  private final List<RaftServer> servers;

  private RatisCluster(Options options, RaftGroup group, List<RaftServer> servers) {
    this.options = options;
    this.group = group;
    this.servers = servers;
  }

  /** Starts every server and waits until one of them is a leader ready to serve. */
  public static RatisCluster start(Options options) throws IOException, InterruptedException {
    Files.createDirectories(options.directory());
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 0; i < options.peers(); i++) {
      peers.add(RaftPeer.newBuilder().setId("p" + i)
          .setAddress("127.0.0.1:" + freePort()).build());
    }
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
    List<RaftServer> servers = new ArrayList<>();
    RatisCluster cluster = new RatisCluster(options, group, servers);
    try {
      for (RaftPeer peer : peers) {
        RaftServer server = RaftServer.newBuilder()
            .setServerId(peer.getId())
            .setGroup(group)
            .setStateMachine(new KvStateMachine())
            .setProperties(cluster.serverProperties(peer))
            .setOption(RaftStorage.StartupOption.FORMAT)
            .build();
        servers.add(server);
        server.start();
      }
      cluster.awaitLeader();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private RaftProperties serverProperties(RaftPeer peer) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
    NettyConfigKeys.Server.setHost(p, "127.0.0.1");
    NettyConfigKeys.Server.setPort(p, Integer.parseInt(peer.getAddress().split(":")[1]));
    File dir = options.directory().resolve(peer.getId().toString()).toFile();
    RaftServerConfigKeys.setStorageDir(p, List.of(dir));
    RaftServerConfigKeys.Log.setUseMemory(p, false);
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, options.unsafeFlush());
    RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, options.asyncFlush());
    RaftServerConfigKeys.Log.setForceSyncNum(p, 128);
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, options.logMetadata());
    RaftServerConfigKeys.Read.setOption(p, options.linearizableReads()
        ? RaftServerConfigKeys.Read.Option.LINEARIZABLE
        : RaftServerConfigKeys.Read.Option.DEFAULT);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, false);
    return p;
  }

  private void awaitLeader() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + ELECTION_WAIT.toNanos();
    while (leaderId() == null) {
      if (System.nanoTime() - deadline > 0) {
        throw new IOException("no Ratis leader elected within " + ELECTION_WAIT);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** The id of the server that is currently leader and ready, or null if there is none. */
  public RaftPeerId leaderId() throws IOException {
    for (RaftServer server : servers) {
      RaftServer.Division division = server.getDivision(group.getGroupId());
      if (division.getInfo().isLeader() && division.getInfo().isLeaderReady()) {
        return server.getId();
      }
    }
    return null;
  }

  /** The replication group (its id and peers). */
  public RaftGroup group() {
    return group;
  }

  /**
   * A new Netty-transport client that starts out knowing the current leader (so its first request
   * goes straight there) and follows NotLeader hints afterwards.
   */
  public RaftClient newClient() throws IOException {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
    ClientId id = ClientId.randomId();
    return RaftClient.newBuilder()
        .setClientId(id)
        .setProperties(p)
        .setRaftGroup(group)
        .setLeaderId(leaderId())
        .setClientRpc(new NettyFactory(new Parameters()).newRaftClientRpc(id, p))
        .build();
  }

  /** Closes every server and deletes the storage directory. */
  @Override
  public void close() throws IOException {
    IOException failure = null;
    for (RaftServer server : servers) {
      try {
        server.close();
      } catch (IOException e) {
        failure = e;
      }
    }
    deleteRecursively(options.directory());
    if (failure != null) {
      throw failure;
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
