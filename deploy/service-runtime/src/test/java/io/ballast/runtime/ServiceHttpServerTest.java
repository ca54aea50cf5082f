package io.ballast.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceHttpServerTest {

    @Test
    void givenARouteWithABodyLimit_whenABodyOverItArrives_thenTheAnswerIs413AndSmallerBodiesAreRead() throws Exception {
        // given a route that reads at most 1 KiB
        try (ServiceHttpServer server =
                new ServiceHttpServer("127.0.0.1", 0, ServiceHttpServer.newRegistry(), () -> true)) {
            server.route(
                    "/echo",
                    ex -> ServiceHttpServer.Response.json(
                            200, Map.of("bytes", ServiceHttpServer.body(ex, 1024).length)));
            server.start();
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/echo");
            // when a 1 KiB body and a 1 MB body are posted
            HttpResponse<String> small = http.send(
                    HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1024)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> large = http.send(
                    HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1_000_000)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            // then the first is read whole and the second refused with 413, naming the limit
            assertThat(small.statusCode()).isEqualTo(200);
            assertThat(small.body()).contains("1024");
            assertThat(large.statusCode()).isEqualTo(413);
            assertThat(large.body()).contains("over the limit of 1024 bytes");
        }
    }
}
