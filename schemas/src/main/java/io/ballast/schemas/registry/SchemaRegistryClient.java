package io.ballast.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;

/**
 * Client for the part of the Confluent Schema Registry REST API that the serde needs: register,
 * look up, fetch by id, compatibility and global config. Works against Confluent's registry and
 * against Apicurio's Confluent-compatible API ({@code .../apis/ccompat/v7}).
 *
 * <p>Registrations and schemas by id are cached for the life of the client (ids are immutable),
 * so after warm-up the serializing and deserializing hot path makes no HTTP call.
 *
 * <p>Code that takes its registry from a URL should go through {@link SchemaRegistry#forUrl}, which
 * also understands {@code mock://} URLs; this class only speaks HTTP.
 */
public final class SchemaRegistryClient implements SchemaRegistry {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();
    /** Long enough to absorb a burst of garbage, short enough that a schema registered meanwhile is soon seen. */
    static final Duration UNKNOWN_ID_TTL = Duration.ofSeconds(10);

    private final String baseUrl;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final UnknownIds unknownIds;
    private final AtomicLong httpCalls = new AtomicLong();

    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, Duration.ofSeconds(10));
    }

    public SchemaRegistryClient(String baseUrl, Duration timeout) {
        this(baseUrl, timeout, UNKNOWN_ID_TTL);
    }

    /**
     * @param timeout the most one call may take, retries of an unreachable or failing registry included
     * @param unknownIdTtl how long an id the registry does not know is answered from memory
     */
    public SchemaRegistryClient(String baseUrl, Duration timeout, Duration unknownIdTtl) {
        this.unknownIds = new UnknownIds(unknownIdTtl);
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("schema.registry.url must be set");
        }
        if (baseUrl.startsWith(MOCK_SCHEME)) {
            // a mock URL here would fail later as an unreachable host: say what to use instead
            throw new IllegalArgumentException(baseUrl + " is an in-memory registry: use SchemaRegistry.forUrl");
        }
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** One client (one cache) per registry URL in this JVM, shared by every serde. */
    public static SchemaRegistryClient shared(String baseUrl) {
        return SHARED.computeIfAbsent(baseUrl, SchemaRegistryClient::new);
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Registers the schema under the subject (a no-op returning the existing id if it is there). */
    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        // one registration per subject at a time from this JVM: Apicurio answers concurrent
        // registrations of the same new schema with a 500 (a unique-key race in its storage)
        synchronized (ids) {
            cached = ids.get(schema);
            if (cached != null) {
                return cached;
            }
            JsonNode body = sendIdempotent("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
            int id = body.path("id").asInt(-1);
            if (id < 0) {
                throw new SchemaRegistryException("registry answered without an id: " + body, 200, 0, null);
            }
            ids.put(schema, id);
            schemasById.putIfAbsent(id, schema);
            return id;
        }
    }

    /** The id of the schema under the subject, if registered there; never registers. */
    @Override
    public OptionalInt lookup(String subject, Schema schema) {
        Integer cached = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (cached != null) {
            return OptionalInt.of(cached);
        }
        try {
            JsonNode body = send("POST", "/subjects/" + enc(subject), schemaBody(schema));
            int id = body.path("id").asInt();
            idsBySubject
                    .computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                    .put(schema, id);
            return OptionalInt.of(id);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return OptionalInt.empty();
            }
            throw e;
        }
    }

    /** The schema with this id; throws {@link SchemaRegistryException} with status 404 if unknown. */
    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        // a burst of random bytes behind a magic byte names random ids: answer a recent miss from
        // memory instead of one blocking round trip per record on the caller's (stream) thread
        if (unknownIds.recentlyMissing(id)) {
            throw new SchemaRegistryException(
                    "GET /schemas/ids/" + id + " -> HTTP 404 (remembered for " + unknownIds.ttl.toMillis()
                            + " ms): schema not found",
                    404,
                    40403,
                    null);
        }
        JsonNode body;
        try {
            body = sendIdempotent("GET", "/schemas/ids/" + id, null);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                unknownIds.remember(id);
            }
            throw e;
        }
        Schema schema = new Schema.Parser().parse(body.path("schema").asText());
        schemasById.put(id, schema);
        return schema;
    }

    /** Version numbers registered under the subject; empty if the subject does not exist. */
    @Override
    public List<Integer> versions(String subject) {
        try {
            JsonNode body = send("GET", "/subjects/" + enc(subject) + "/versions", null);
            List<Integer> versions = new ArrayList<>();
            body.forEach(v -> versions.add(v.asInt()));
            return versions;
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return List.of();
            }
            throw e;
        }
    }

    /** Whether the schema may be registered under the subject; true if the subject is new. */
    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode body =
                    send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", schemaBody(schema));
            return body.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return true;
            }
            throw e;
        }
    }

    @Override
    public String globalCompatibility() {
        JsonNode body = send("GET", "/config", null);
        return body.path("compatibilityLevel").asText(body.path("compatibility").asText());
    }

    @Override
    public void setGlobalCompatibility(String level) {
        send(
                "PUT",
                "/config",
                JSON.createObjectNode().put("compatibility", level).toString());
    }

    /** HTTP requests made so far; lets tests prove the hot path is served from the cache. */
    public long httpCalls() {
        return httpCalls.get();
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * For requests that are safe to repeat (registration is idempotent): retries a registry that
     * is unreachable or answers 5xx with a growing pause, all within the client's timeout, so a
     * caller is never held longer than that.
     */
    private JsonNode sendIdempotent(String method, String path, String body) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return send(method, path, body, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (SchemaRegistryException e) {
                boolean transientFailure = e.isUnreachable() || e.status() >= 500;
                long pause = 100L * attempt * attempt;
                if (!transientFailure || attempt >= 4 || System.nanoTime() + pause * 1_000_000 >= deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private JsonNode send(String method, String path, String body) {
        return send(method, path, body, timeout);
    }

    private JsonNode send(String method, String path, String body, Duration requestTimeout) {
        httpCalls.incrementAndGet();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (body != null) {
            req.header("Content-Type", CONTENT_TYPE);
        }
        req.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response;
        try {
            response = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException(method + " " + baseUrl + path + " failed: " + e, -1, -1, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted: " + method + " " + path, -1, -1, e);
        }
        JsonNode json;
        try {
            json = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            json = JSON.createObjectNode().put("message", response.body());
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException(
                    method + " " + path + " -> HTTP " + response.statusCode() + ": "
                            + json.path("message").asText(response.body()),
                    response.statusCode(),
                    json.path("error_code").asInt(0),
                    null);
        }
        return json;
    }

    /** Ids the registry answered 404 for, remembered for a while; bounded, so random ids cannot grow it without end. */
    private static final class UnknownIds {
        private static final int MAX_REMEMBERED = 10_000;
        private final Duration ttl;
        private final Map<Integer, Long> expiresAt = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
                return size() > MAX_REMEMBERED;
            }
        };

        UnknownIds(Duration ttl) {
            this.ttl = ttl;
        }

        synchronized boolean recentlyMissing(int id) {
            Long until = expiresAt.get(id);
            if (until == null) {
                return false;
            }
            if (System.nanoTime() - until >= 0) {
                expiresAt.remove(id);
                return false;
            }
            return true;
        }

        synchronized void remember(int id) {
            expiresAt.put(id, System.nanoTime() + ttl.toNanos());
        }
    }
}
