package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.identity.Ed25519Signer;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.FailureModel;
import io.lockstep.order.ProtocolSetup;
import io.lockstep.redis.RedisStore;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import io.lockstep.server.config.ClusterConfig;
import io.lockstep.server.config.ClusterKeys;
import io.lockstep.server.config.Service;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server hands the cluster file's client keys to the protocol ({@link ProtocolWiring#setup}),
 * so an order that takes a request on one carrier's word when its client signed it checks the
 * signature against the keys every replica read from the same file.
 */
class ClientKeysWiringTest {
  @TempDir Path dir;

  @Test
  void theFilesClientKeysReachTheProtocolSetup() {
    Map<Integer, KeyPair> pairs = Ed25519Signer.seededKeyPairs(List.of(0, 1), 9);
    ClusterConfig config = ClusterConfig.local("signed", 3, 20_000, dir, Service.KV,
        TestCluster.SECRET).withFailureModel(FailureModel.FAIL_STOP, 1, "replica-uid")
        .withKeys(new ClusterKeys(Map.of(), Map.of(), Map.of("alice", pairs.get(0).getPublic()),
            Map.of()));
    ProtocolSetup setup = ProtocolWiring.setup(config, 1, new RedisStore(), Signer.none(1));
    Request r = Request.command(ClientId.of("alice"), 3, "set x 1".getBytes());
    ClientPublicKeys keys = setup.clientKeys();
    assertThat(RequestSignature.refusal(r, RequestSignature.sign(r, pairs.get(0).getPrivate()),
        keys)).isNull();
    assertThat(RequestSignature.refusal(r, RequestSignature.sign(r, pairs.get(1).getPrivate()),
        keys)).as("a key the file does not give alice").contains("does not verify");
    Request bob = Request.command(ClientId.of("bob"), 3, "set x 1".getBytes());
    assertThat(RequestSignature.refusal(bob, RequestSignature.sign(bob,
        pairs.get(0).getPrivate()), keys)).as("a client the file names no key for")
        .contains("does not verify");
  }
}
