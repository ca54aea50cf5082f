package io.ballast.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's HTTP face on the JDK's server: {@code /metrics} (Prometheus text), {@code /health},
 * plus whatever routes the service adds. Binds 127.0.0.1 unless configured otherwise.
 */
public final class ServiceHttpServer implements AutoCloseable {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final long DRAIN_LIMIT_BYTES = 8L * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ServiceHttpServer.class);

    /** A route: reads the exchange, returns status and body. */
    @FunctionalInterface
    public interface Handler {
        Response handle(HttpExchange exchange) throws Exception;
    }

    public record Response(int status, String contentType, byte[] body) {
        public static Response json(int status, Object value) {
            try {
                return new Response(status, "application/json", JSON.writeValueAsBytes(value));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public static Response text(int status, String contentType, String body) {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private final HttpServer server;
    private final PrometheusMeterRegistry metrics;
    private final ExecutorService executor;

    public ServiceHttpServer(String host, int port, PrometheusMeterRegistry metrics, BooleanSupplier healthy)
            throws IOException {
        this.metrics = metrics;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "http-" + port);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        route("/metrics", ex -> Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        route(
                "/health",
                ex -> healthy.getAsBoolean()
                        ? Response.json(200, Map.of("status", "UP"))
                        : Response.json(503, Map.of("status", "DOWN")));
    }

    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    public void route(String path, Handler handler) {
        server.createContext(path, exchange -> {
            Response r;
            try {
                r = handler.handle(exchange);
            } catch (PayloadTooLargeException e) {
                r = Response.json(413, Map.of("error", String.valueOf(e.getMessage())));
            } catch (IllegalArgumentException e) {
                r = Response.json(400, Map.of("error", String.valueOf(e.getMessage())));
            } catch (Exception e) {
                log.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                r = Response.json(500, Map.of("error", String.valueOf(e)));
            }
            exchange.getResponseHeaders().set("Content-Type", r.contentType());
            exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body());
            }
        });
    }

    /**
     * The request body, read only up to {@code maxBytes}: an unbounded read lets one client hold a
     * handler thread and heap with a body of any size. Larger bodies are answered 413.
     */
    public static byte[] body(HttpExchange exchange, int maxBytes) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        try (InputStream in = exchange.getRequestBody()) {
            if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxBytes) {
                drain(in);
                throw new PayloadTooLargeException(Long.parseLong(declared), maxBytes);
            }
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                drain(in);
                throw new PayloadTooLargeException(-1, maxBytes);
            }
            return body;
        }
    }

    /**
     * Reads and drops what is left of a refused body, up to a bound: a server that answers while the
     * client is still sending makes many clients see a reset instead of the 413. Beyond the bound
     * the connection is closed anyway, so an endless body costs a bounded read.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long left = DRAIN_LIMIT_BYTES;
        for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) {
            left -= n;
        }
    }

    /** A request body over the route's limit. */
    public static final class PayloadTooLargeException extends IOException {
        PayloadTooLargeException(long declared, int max) {
            super("request body " + (declared >= 0 ? "of " + declared + " bytes " : "") + "is over the limit of " + max
                    + " bytes");
        }
    }

    public ServiceHttpServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
