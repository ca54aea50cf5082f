package io.ballast.auditor.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.ballast.runtime.ServiceHttpServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks the other auditor instances for their local part of a query, all at once, and waits at most
 * the timeout: an instance that is unreachable, slow, or answers with an error is named in
 * {@link Answer#missing} and the rest is answered anyway.
 *
 * <p>A peer is asked {@code local=true} with the client's filters and nothing else: a client's own
 * {@code local=false} (or any flag) passed on would make instances ask each other in a circle until
 * their request threads run out.
 */
final class PeerQuery {

    /** The query parameters that select rows; the only ones passed on to a peer. */
    static final List<String> FILTERS = List.of("model", "version", "context", "attribute", AuditorHttpApi.PATCH);

    /** Rows from the instances that answered, and {instance, reason} for each that did not. */
    record Answer(List<Map<String, Object>> rows, List<Map<String, String>> missing) {}

    private final HttpClient http;
    private final Duration timeout;

    PeerQuery(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    Answer ask(List<HostInfo> peers, String path, Map<String, String> clientQuery) {
        String query = peerQuery(clientQuery);
        Map<HostInfo, CompletableFuture<HttpResponse<String>>> calls = new LinkedHashMap<>();
        for (HostInfo peer : peers) {
            URI uri = URI.create("http://" + peer.host() + ":" + peer.port() + path + "?" + query);
            calls.put(
                    peer,
                    http.sendAsync(
                                    HttpRequest.newBuilder(uri).timeout(timeout).build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, String>> missing = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<HostInfo, CompletableFuture<HttpResponse<String>>> call : calls.entrySet()) {
            String instance = call.getKey().host() + ":" + call.getKey().port();
            try {
                // every call runs concurrently: the whole fan-out waits one timeout, not one per peer
                HttpResponse<String> r =
                        call.getValue().get(Math.max(0, deadline - System.nanoTime()) + 1, TimeUnit.NANOSECONDS);
                if (r.statusCode() != 200) {
                    missing.add(missing(instance, "HTTP " + r.statusCode()));
                    continue;
                }
                JsonNode body = ServiceHttpServer.JSON.readTree(r.body());
                // an instance of an earlier release answers with the bare array of rows
                JsonNode list = body.isArray() ? body : body.path("rows");
                for (JsonNode n : list) {
                    rows.add(ServiceHttpServer.JSON.convertValue(n, Map.class));
                }
            } catch (TimeoutException e) {
                call.getValue().cancel(true);
                missing.add(missing(instance, "no answer within " + timeout.toMillis() + " ms"));
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                missing.add(missing(
                        instance,
                        cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException
                                ? "no answer within " + timeout.toMillis() + " ms"
                                : "unreachable: " + cause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing.add(missing(instance, "interrupted"));
            } catch (Exception e) {
                missing.add(missing(instance, "unreadable answer: " + e.getMessage()));
            }
        }
        return new Answer(rows, missing);
    }

    /** {@code local=true} and the client's filters, encoded; nothing else the client sent. */
    static String peerQuery(Map<String, String> clientQuery) {
        StringBuilder q = new StringBuilder("local=true");
        for (String key : FILTERS) {
            String value = clientQuery.get(key);
            if (value != null) {
                q.append('&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }

    private static Map<String, String> missing(String instance, String reason) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("instance", instance);
        m.put("reason", reason);
        return m;
    }
}
