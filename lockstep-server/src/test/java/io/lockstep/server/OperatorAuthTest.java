package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockstep.identity.Ed25519Signer;
import java.security.KeyPair;
import java.util.Map;

import io.lockstep.server.wire.ClientMessage;
import io.lockstep.server.wire.ClientMessage.MemberOperation;
import org.junit.jupiter.api.Test;

/**
 * Only an operator holding the cluster secret, or in a cluster with keys one named in
 * cluster.operators signing with its own key, may change the membership: a command signed with
 * another secret or key, for another cluster, altered on the way, replayed, or issued far from
 * the replica's clock is refused with the reason.
 */
class OperatorAuthTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final long NOW = 1_700_000_000_000L;

  @Test
  void aFreshCommandSignedWithTheClusterSecretIsAcceptedOnce() {
    OperatorAuth replica = new OperatorAuth("demo", SECRET);
    ClientMessage.Member command = new OperatorAuth("demo", SECRET)
        .sign(7, MemberOperation.REMOVE, 3, -1, NOW);
    assertThat(replica.check(command, NOW + 1_000)).isEmpty();
    assertThat(replica.check(command, NOW + 2_000)).get().asString().contains("a replay");
  }

  @Test
  void anotherSecretAnotherClusterOrAnAlteredCommandIsRefused() {
    OperatorAuth replica = new OperatorAuth("demo", SECRET);
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    assertThat(replica.check(new OperatorAuth("demo", other)
        .sign(1, MemberOperation.ADD, 4, -1, NOW), NOW)).get().asString()
        .contains("not signed with this cluster's secret");
    assertThat(replica.check(new OperatorAuth("other", SECRET)
        .sign(1, MemberOperation.ADD, 4, -1, NOW), NOW)).isPresent();
    ClientMessage.Member signed = replica.sign(1, MemberOperation.ADD, 4, -1, NOW);
    ClientMessage.Member altered = new ClientMessage.Member(1, MemberOperation.REMOVE, 4, -1,
        NOW, signed.nonce(), signed.mac());
    assertThat(replica.check(altered, NOW)).get().asString().contains("not signed");
  }

  @Test
  void aCommandIssuedFarFromTheReplicasClockIsRefused() {
    OperatorAuth replica = new OperatorAuth("demo", SECRET);
    ClientMessage.Member old = replica.sign(1, MemberOperation.LIST, -1, -1,
        NOW - OperatorAuth.MAX_SKEW_MILLIS - 1);
    assertThat(replica.check(old, NOW)).get().asString().contains("from this replica's clock");
  }

  @Test
  void aSystemCommandMustBeSignedWithTheClusterSecretAndIssuedNearTheReplicasClock() {
    OperatorAuth replica = new OperatorAuth("demo", SECRET);
    byte[] command = {1, 2, 3, 4};
    ClientMessage.Admin signed = new OperatorAuth("demo", SECRET).signAdmin(3, command, NOW);
    assertThat(replica.checkAdmin(signed, NOW + 1_000)).isEmpty();
    assertThat(replica.checkAdmin(signed, NOW + 2_000))
        .as("a repeat is answered by its administrator session, not refused").isEmpty();
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    assertThat(replica.checkAdmin(new OperatorAuth("demo", other).signAdmin(3, command, NOW),
        NOW)).get().asString().contains("not signed with this cluster's secret");
    ClientMessage.Admin altered = new ClientMessage.Admin(3, new byte[] {1, 2, 3, 5}, NOW,
        signed.nonce(), signed.mac());
    assertThat(replica.checkAdmin(altered, NOW)).get().asString().contains("not signed");
    assertThat(replica.checkAdmin(signed, NOW + OperatorAuth.MAX_SKEW_MILLIS + 1)).get()
        .asString().contains("check the clocks");
  }

  @Test
  void aMembershipCommandsMacIsNeverValidAsASystemCommandsOrTheOtherWayRound() {
    OperatorAuth auth = new OperatorAuth("demo", SECRET);
    ClientMessage.Member member = auth.sign(1, MemberOperation.ADD, 4, -1, NOW);
    ClientMessage.Admin asAdmin = new ClientMessage.Admin(1, new byte[0], NOW, member.nonce(),
        member.mac());
    assertThat(auth.checkAdmin(asAdmin, NOW)).get().asString().contains("not signed");
  }

  @Test
  void withoutASecretAnOperatorSignsWithItsOwnKeyAndOnlyTheNamedOperatorsKeysCount() {
    KeyPair operator = Ed25519Signer.generate();
    KeyPair application = Ed25519Signer.generate();
    OperatorAuth replica = OperatorAuth.checking("demo", null,
        Map.of("ops", operator.getPublic()));
    OperatorAuth tool = OperatorAuth.signing("demo", null, operator.getPrivate());
    ClientMessage.Member command = tool.sign(7, MemberOperation.REMOVE, 3, -1, NOW);
    assertThat(command.mac()).hasSize(64);
    assertThat(replica.check(command, NOW + 1_000)).isEmpty();
    assertThat(replica.check(command, NOW + 2_000)).get().asString().contains("a replay");
    ClientMessage.Admin admin = tool.signAdmin(3, new byte[] {1, 2}, NOW);
    assertThat(replica.checkAdmin(admin, NOW)).isEmpty();
    assertThat(replica.checkAdmin(new ClientMessage.Admin(3, new byte[] {1, 3}, NOW,
        admin.nonce(), admin.mac()), NOW)).get().asString().contains("not signed");
    OperatorAuth notAnOperator = OperatorAuth.signing("demo", null, application.getPrivate());
    assertThat(replica.check(notAnOperator.sign(8, MemberOperation.ADD, 4, -1, NOW), NOW))
        .get().asString().contains("not signed by an operator's key (cluster.operators: [ops])");
    assertThat(replica.checkAdmin(notAnOperator.signAdmin(3, new byte[] {1, 2}, NOW), NOW))
        .isPresent();
  }

  @Test
  void aClusterWithBothAcceptsEitherProofAndAToolWithNeitherIsToldWhatToConfigure() {
    KeyPair operator = Ed25519Signer.generate();
    OperatorAuth replica = OperatorAuth.checking("demo", SECRET,
        Map.of("ops", operator.getPublic()));
    assertThat(replica.check(new OperatorAuth("demo", SECRET)
        .sign(1, MemberOperation.ADD, 4, -1, NOW), NOW)).isEmpty();
    assertThat(replica.check(OperatorAuth.signing("demo", null, operator.getPrivate())
        .sign(2, MemberOperation.ADD, 4, -1, NOW), NOW)).isEmpty();
    OperatorAuth secretOnly = OperatorAuth.checking("demo", SECRET, Map.of());
    assertThat(secretOnly.check(OperatorAuth.signing("demo", null, operator.getPrivate())
        .sign(3, MemberOperation.ADD, 4, -1, NOW), NOW)).get().asString()
        .contains("with this cluster's secret");
    OperatorAuth none = OperatorAuth.checking("demo", null, Map.of());
    assertThat(none.check(OperatorAuth.signing("demo", null, operator.getPrivate())
        .sign(3, MemberOperation.ADD, 4, -1, NOW), NOW)).get().asString()
        .contains("names no operators");
    assertThatThrownBy(() -> OperatorAuth.signing("demo", null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster.operators");
  }
}
