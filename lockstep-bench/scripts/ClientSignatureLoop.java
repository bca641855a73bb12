import io.lockstep.identity.PreverifiedSigner;
import io.lockstep.identity.SignatureClaim;
import io.lockstep.identity.Signer;
import io.lockstep.machine.ClientId;
import io.lockstep.order.agreement.ClientCopies;
import io.lockstep.request.ClientPublicKeys;
import io.lockstep.request.Request;
import io.lockstep.request.RequestSignature;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The loop thread's CPU per client-signed request in a classic Byzantine order's take rule
 * (ClientCopies), before and after the verification pool: "inline" verifies each signature on
 * the measuring (loop) thread, as the order did before; "pool" has two threads pre-verify each
 * request's claim three times (its client port and two carriers' round messages, as a replica
 * receives it) into a PreverifiedSigner, then the loop thread takes the requests through its
 * clientKeys(). CPU time is per thread (ThreadMXBean), so other processes' load shows less in
 * it than in wall time. Usage: java -cp ... ClientSignatureLoop.java [requests] [repeats]
 */
public class ClientSignatureLoop {
  static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    ClientId client = ClientId.of("bench");
    ClientPublicKeys keys = ClientPublicKeys.ed25519(Map.of(client, pair.getPublic()));
    List<Request> requests = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Request r = Request.command(client, i + 1, new byte[100]);
      requests.add(r);
      signatures.add(RequestSignature.sign(r, pair.getPrivate()));
    }
    inline(keys, requests, signatures); // warm-up of both paths
    pooled(keys, requests, signatures);
    System.out.printf("requests=%d load_before=%s%n", n, load());
    for (int i = 0; i < repeats; i++) {
      System.out.println(inline(keys, requests, signatures));
      System.out.println(pooled(keys, requests, signatures));
    }
    System.out.printf("load_after=%s%n", load());
  }

  static String inline(ClientPublicKeys keys, List<Request> rs, List<byte[]> ss) {
    long loop = takeAll(keys, rs, ss);
    return String.format("mode=inline loop_us_per_request=%.1f", loop / 1e3 / rs.size());
  }

  static String pooled(ClientPublicKeys keys, List<Request> rs, List<byte[]> ss)
      throws Exception {
    PreverifiedSigner signer = new PreverifiedSigner(Signer.none(1), keys, 16_384);
    Set<Long> poolThreads = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> done = new ArrayList<>();
    for (int carrier = 0; carrier < 3; carrier++) {
      for (int i = 0; i < rs.size(); i++) {
        SignatureClaim claim = SignatureClaim.ofRequest(rs.get(i), ss.get(i));
        done.add(pool.submit(() -> {
          poolThreads.add(Thread.currentThread().getId());
          signer.preverify(claim);
        }));
      }
    }
    for (Future<?> f : done) {
      f.get();
    }
    long poolNanos = 0;
    for (long id : poolThreads) {
      poolNanos += CPU.getThreadCpuTime(id);
    }
    pool.shutdown();
    long loop = takeAll(signer.clientKeys(), rs, ss);
    return String.format("mode=pool loop_us_per_request=%.1f pool_us_per_request=%.1f"
        + " verified=%d inline=%d", loop / 1e3 / rs.size(), poolNanos / 1e3 / rs.size(),
        signer.preverified(), signer.verifiedInline());
  }

  /** The loop thread's CPU nanoseconds to take every request from one signed carrier. */
  static long takeAll(ClientPublicKeys keys, List<Request> rs, List<byte[]> ss) {
    ClientCopies copies = new ClientCopies(1, 1_000_000, rs.size(), keys);
    long start = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < rs.size(); i++) {
      if (copies.copy(rs.get(i), ss.get(i), 0, 1) != ClientCopies.Outcome.TAKEN) {
        throw new AssertionError("request " + i + " not taken: " + copies.lastRefusal());
      }
    }
    return CPU.getCurrentThreadCpuTime() - start;
  }

  static String load() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
  }
}
