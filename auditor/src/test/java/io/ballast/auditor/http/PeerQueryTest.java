package io.ballast.auditor.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How an auditor instance asks the others for their part of a query, against fake peers on
 * loopback: ones that answer, one that nobody listens for, one that never answers.
 */
class PeerQueryTest {

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    @AfterEach
    void stopPeers() {
        released.countDown();
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void givenAClientAskingLocalFalse_whenTheQueryFansOut_thenAPeerIsAskedForItsLocalPartWithTheFiltersOnly() {
        // given a peer that records what it is asked
        List<URI> asked = new CopyOnWriteArrayList<>();
        HostInfo peer = peer(200, "{\"rows\": [{\"context\": \"occupation:cooks\"}], \"missing\": []}", asked);

        // when a client asks for drift with local=false, a flag the auditor does not know, and filters
        PeerQuery.Answer answer = new PeerQuery(Duration.ofSeconds(5))
                .ask(
                        List.of(peer),
                        "/api/drift",
                        Map.of(
                                "local", "false",
                                "refresh", "1",
                                "model", "bios",
                                "context", "occupation:cooks & co"));

        // then the peer is asked once, for its local part, with the filters alone: it cannot fan out again
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).getPath()).isEqualTo("/api/drift");
        assertThat(asked.get(0).getRawQuery())
                .isEqualTo("local=true&model=bios&context=occupation%3Acooks+%26+co")
                .doesNotContain("local=false")
                .doesNotContain("refresh");
        assertThat(answer.rows()).containsExactly(Map.of("context", "occupation:cooks"));
        assertThat(answer.missing()).isEmpty();
    }

    @Test
    void givenAnUnreachableAndHangingPeers_whenAsked_thenTheOthersRowsComeBackWithinOneTimeoutNamingTheMissing()
            throws IOException {
        // given one peer that answers, one whose port nobody listens on, three that never answer
        HostInfo answering = peer(200, "{\"rows\": [{\"context\": \"occupation:cooks\"}], \"missing\": []}", null);
        HostInfo unreachable = new HostInfo("127.0.0.1", freePort());
        HostInfo hanging = hangingPeer();
        HostInfo hanging2 = hangingPeer();
        HostInfo hanging3 = hangingPeer();
        // and one of an earlier release, whose answer is the bare array, and one that is rebalancing
        HostInfo earlier = peer(200, "[{\"context\": \"occupation:lawyers\"}]", null);
        HostInfo rebalancing = peer(503, "{\"error\": \"state stores are not ready\"}", null);

        // when asked with a 2 s timeout
        Duration timeout = Duration.ofSeconds(2);
        long start = System.nanoTime();
        PeerQuery.Answer answer = new PeerQuery(timeout)
                .ask(
                        List.of(answering, unreachable, hanging, earlier, hanging2, rebalancing, hanging3),
                        "/api/distributions",
                        Map.of());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // then the answer comes after one timeout, not one per silent peer (they are asked at once; the bound
        // leaves room for a loaded machine), with the rows that came
        assertThat(took).isGreaterThanOrEqualTo(timeout).isLessThan(timeout.multipliedBy(3));
        assertThat(answer.rows())
                .containsExactlyInAnyOrder(
                        Map.of("context", "occupation:cooks"), Map.of("context", "occupation:lawyers"));
        // and it names each instance missing from it, with the reason
        assertThat(answer.missing())
                .extracting(m -> m.get("instance"))
                .containsExactlyInAnyOrder(
                        instance(unreachable),
                        instance(hanging),
                        instance(hanging2),
                        instance(hanging3),
                        instance(rebalancing));
        assertThat(answer.missing())
                .filteredOn(m -> m.get("instance").equals(instance(hanging)))
                .singleElement()
                .satisfies(m -> assertThat(m.get("reason")).isEqualTo("no answer within 2000 ms"));
        assertThat(answer.missing())
                .filteredOn(m -> m.get("instance").equals(instance(unreachable)))
                .singleElement()
                .satisfies(m -> assertThat(m.get("reason")).startsWith("unreachable"));
        assertThat(answer.missing())
                .filteredOn(m -> m.get("instance").equals(instance(rebalancing)))
                .singleElement()
                .satisfies(m -> assertThat(m.get("reason")).isEqualTo("HTTP 503"));
    }

    private HostInfo peer(int status, String body, List<URI> asked) {
        return serve(ex -> {
            if (asked != null) {
                asked.add(ex.getRequestURI());
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
    }

    /** Accepts the request and never answers (until the test ends). */
    private HostInfo hangingPeer() {
        return serve(ex -> {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
    }

    private HostInfo serve(HttpHandler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", handler);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            servers.add(server);
            return new HostInfo("127.0.0.1", server.getAddress().getPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A loopback port that was free a moment ago and that nobody listens on now. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String instance(HostInfo h) {
        return h.host() + ":" + h.port();
    }
}
