package io.ballast.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's behaviour under a hostile or failing registry, against a small HTTP stand-in that
 * answers every request the same way and counts them (the real registry is exercised by the ITs).
 */
class SchemaRegistryClientTest {

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void givenABurstOfRecordsNamingAnUnknownId_whenResolved_thenOneRoundTripAnswersThemUntilTheMissExpires()
            throws Exception {
        // given a registry that knows no schema, and a client remembering misses for 300 ms
        String url = answering(404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        SchemaRegistryClient client = new SchemaRegistryClient(url, Duration.ofSeconds(5), Duration.ofMillis(300));
        // when 1,000 records name the same unknown id
        for (int i = 0; i < 1_000; i++) {
            assertThatThrownBy(() -> client.schemaById(77))
                    .isInstanceOf(SchemaRegistryException.class)
                    .satisfies(e ->
                            assertThat(((SchemaRegistryException) e).status()).isEqualTo(404));
        }
        // then the registry was asked once
        assertThat(requests.get()).isEqualTo(1);
        // and once the miss has expired, it is asked again (a schema registered meanwhile is found)
        Thread.sleep(400);
        assertThatThrownBy(() -> client.schemaById(77)).isInstanceOf(SchemaRegistryException.class);
        assertThat(requests.get()).isEqualTo(2);
    }

    @Test
    void givenARegistryAnsweringOnly503_whenASchemaIsFetched_thenTheCallerIsHeldNoLongerThanTheTimeout()
            throws Exception {
        // given a registry that is up but failing, and a client with a 1 s budget per call
        String url = answering(503, "{\"message\":\"unavailable\"}");
        SchemaRegistryClient client = new SchemaRegistryClient(url, Duration.ofSeconds(1), Duration.ofSeconds(10));
        // when a schema is fetched
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryException.class);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // then it retried (more than one request) and gave up within the budget; a 503 is not remembered as a miss
        assertThat(requests.get()).isGreaterThan(1);
        assertThat(millis).isLessThan(1_500);
        int before = requests.get();
        assertThatThrownBy(() -> client.schemaById(1)).isInstanceOf(SchemaRegistryException.class);
        assertThat(requests.get()).isGreaterThan(before);
    }

    private String answering(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
