package io.lockstep.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockstep.client.KvClient;
import io.lockstep.server.config.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live page's two answers on a replica's HTTP port, read as plain HTTP. */
class LivePageHttpTest {
  @TempDir Path dir;

  @Test
  void thePageIsOneSelfContainedDocumentAndTheJsonCarriesTheReplicasFigures() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 3, Service.KV)) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(10));
      try (KvClient kv = new KvClient(cluster.client())) {
        kv.set("k", "v");
        assertThat(kv.get("k")).isEqualTo("v");
      }
      ReplicaServer server = cluster.server(leader);
      HttpResponse<String> page = get(server, "/", "GET");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(page.body()).contains("<script>", "replica.json")
          .as("nothing is fetched from another site").doesNotContain("src=\"http", "href=\"http");

      HttpResponse<String> json = get(server, "/replica.json", "GET");
      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
      StatusView s = server.status();
      assertThat(json.body()).contains("\"cluster\":\"test\"", "\"protocol\":\"raft\"",
          "\"id\":" + leader + ",", "\"role\":\"leader\"", "\"healthy\":true",
          "\"commitIndex\":" + s.commitIndex(), "\"leaderChanges\":[{\"at\":",
          "\"leader\":" + leader + "}]", "\"bucketMillis\":2000");
      assertThat(get(server, "/metrics", "GET").body())
          .as("the read counted by the leader that answered it")
          .containsPattern("lockstep_read_latency_seconds_count\\{[^}]*\\} 1\n");
      for (int id = 1; id <= 3; id++) {
        int port = cluster.config.replica(id).orElseThrow().metrics().getPort();
        assertThat(json.body()).contains("{\"id\":" + id + ",\"http\":\"127.0.0.1:" + port + "\"}");
      }
    }
  }

  @Test
  void otherPathsAre404AndOtherMethods405() throws Exception {
    try (TestCluster cluster = TestCluster.started(dir, 1, Service.KV)) {
      ReplicaServer server = cluster.server(1);
      HttpResponse<String> missing = get(server, "/nothing-here", "GET");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.body()).contains("no such page: /nothing-here", "/replica.json");
      HttpResponse<String> post = get(server, "/replica.json", "POST");
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
      assertThat(get(server, "/", "DELETE").statusCode()).isEqualTo(405);
      HttpResponse<String> head = get(server, "/", "HEAD");
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
    }
  }

  static HttpResponse<String> get(ReplicaServer server, String path, String method)
      throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.metricsPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
