package io.ballast.auditor.http;

import com.sun.net.httpserver.HttpExchange;
import io.ballast.auditor.AuditorConfig;
import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.ChangeState;
import io.ballast.auditor.topology.AuditKey;
import io.ballast.auditor.topology.AuditTopology;
import io.ballast.auditor.topology.ContextCounts;
import io.ballast.auditor.topology.DriftEpisode;
import io.ballast.auditor.topology.ExpressionPolicy;
import io.ballast.auditor.topology.Tally;
import io.ballast.auditor.topology.TargetLookup;
import io.ballast.auditor.topology.ToxicityLimit;
import io.ballast.auditor.topology.VersionContext;
import io.ballast.runtime.ServiceHttpServer;
import io.ballast.runtime.ServiceHttpServer.Response;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.DistributionComparison;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.domain.Attribute;
import io.ballast.schemas.targets.TargetKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The auditor's JSON API and dashboard. Distributions, drift episodes and windows are answered
 * from every instance's local stores: an instance asks the others (their {@code application.server})
 * for their local part ({@link PeerQuery}) and merges, so any instance answers for all partitions.
 * The answer is {@code {"rows": [...], "missing": [...]}}: {@code missing} names each instance that
 * did not answer in time (with the reason), so a partial answer says it is partial instead of
 * failing; {@code local=true} answers from this instance's stores alone.
 *
 * <p>Rows are filtered by {@code model}, {@code version}, {@code context}, {@code attribute} and
 * {@code patch}. Toxicity, where a bound on it is in force, is a row of its own ({@code "attribute":
 * "toxicity"}, {@code "kind": "bound"}): its rate with interval against the limit ({@link
 * BoundRows}). Each row names its version and steering patch ({@code "patch"}, null when none):
 * the outputs of a version under a patch are counted apart from the same version's unpatched ones.
 * {@code version=3} matches version 3 with or without a patch; {@code patch=p1} matches the rows
 * under patch {@code p1}, and {@code patch=} (empty) those without one. A patch id is never empty
 * (the auditor dead-letters a blank one), so the empty value names nothing else.
 */
public final class AuditorHttpApi {

    /** The filter on steering patches, the one whose empty value means something (none). */
    static final String PATCH = "patch";

    private final KafkaStreams streams;
    private final AuditorConfig config;
    private final int ownPort;
    private final ExpressionPolicy policy;
    private final ContextCounts.Windows windows;
    private final PeerQuery peers;
    private final ChangeDetector change;

    public AuditorHttpApi(KafkaStreams streams, AuditorConfig config, int ownPort) {
        this.streams = streams;
        this.config = config;
        this.change = new ChangeDetector(config.change());
        this.ownPort = ownPort;
        this.policy = new ExpressionPolicy(config.minExpressed(), config.minExpressionRate());
        this.windows = ContextCounts.Windows.of(config.windowSize(), config.windowAdvance(), config.windowGrace());
        this.peers = new PeerQuery(config.peerTimeout());
    }

    public void register(ServiceHttpServer server) {
        server.route(
                "/api/distributions",
                ex -> whenReady(() -> gathered(ex, "/api/distributions", this::localDistributions)));
        server.route("/api/drift", ex -> whenReady(() -> gathered(ex, "/api/drift", this::localEpisodes)));
        server.route("/api/windows", ex -> whenReady(() -> gathered(ex, "/api/windows", this::localWindows)));
        server.route("/api/targets", ex -> whenReady(this::targets));
        server.route("/", this::dashboard);
    }

    private Response dashboard(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String resource = switch (path) {
            case "/", "/dashboard", "/index.html" -> "index.html";
            case "/dashboard.js" -> "dashboard.js";
            case "/dashboard.css" -> "dashboard.css";
            default -> null;
        };
        if (resource == null) {
            return Response.json(404, Map.of("error", "no such page: " + path));
        }
        try (InputStream in = AuditorHttpApi.class.getResourceAsStream("/io/ballast/auditor/dashboard/" + resource)) {
            String type = resource.endsWith(".html")
                    ? "text/html; charset=utf-8"
                    : resource.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            return new Response(200, type, in.readAllBytes());
        }
    }

    interface Query {
        Object run() throws Exception;
    }

    /** State stores are unavailable while Streams starts or rebalances: say so, with 503. */
    private static Response whenReady(Query query) throws Exception {
        try {
            return Response.json(200, query.run());
        } catch (InvalidStateStoreException e) {
            return Response.json(
                    503, Map.of("error", "state stores are not ready (starting or rebalancing): retry shortly"));
        }
    }

    interface LocalQuery {
        List<Map<String, Object>> run(Map<String, String> filter);
    }

    private Map<String, Object> gathered(HttpExchange ex, String path, LocalQuery local) {
        Map<String, String> q = query(ex.getRequestURI());
        List<Map<String, Object>> rows = new ArrayList<>(local.run(q));
        List<Map<String, String>> missing = List.of();
        if (!"true".equals(q.get("local"))) {
            List<HostInfo> others = new ArrayList<>();
            for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
                if (m.hostInfo().port() != ownPort || !m.hostInfo().host().equals(config.advertisedHost())) {
                    others.add(m.hostInfo());
                }
            }
            PeerQuery.Answer answer = peers.ask(others, path, q);
            rows.addAll(answer.rows());
            missing = answer.missing();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", rows);
        out.put("missing", missing);
        return out;
    }

    private List<Map<String, Object>> localDistributions(Map<String, String> filter) {
        List<Map<String, Object>> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, TargetDistribution> targets = targetStore();
        forEachAttribute(filter, (key, counts, a) -> {
            Tally t = counts.sinceLive(a);
            Map<String, Long> expressedCounts = t.expressedCounts(counts.categories(a));
            Map<String, Object> row = describe(key);
            row.put("n", t.n());
            putExpression(row, t, expressedCounts);
            row.put("counts", t.counts(counts.categories(a)));
            row.put("proportions", DistributionComparison.proportions(expressedCounts));
            // what the steering tokens intended, beside what the text expresses (counts); and who read the text
            row.put("intended", counts.intended(a));
            row.put("classifier", counts.classifierOf(a));
            row.put("sampleRate", config.sampleRate());
            row.put("consistencyRate", t.consistencyRate());
            row.put("detector", detector(counts.change(a), t.expressed(Attribute.values()[a])));
            row.put("firstEventMillis", counts.firstEventMillis());
            row.put("lastEventMillis", counts.lastEventMillis());
            TargetDistribution target = TargetLookup.distribution(targets, key.attribute(), key.contextKey());
            if (target != null) {
                DistributionComparison cmp = DistributionComparison.of(expressedCounts, target.getProbabilities());
                row.put("target", target.getProbabilities());
                row.put("tolerance", target.getTolerance());
                row.put("mae", cmp.mae());
                row.put("totalVariation", cmp.totalVariation());
                row.put("klDivergence", cmp.klDivergence());
                row.put("jsDivergence", cmp.jsDivergence());
            }
            out.add(row);
        });
        forEachToxicity(filter, targets, (key, counts, limit) -> {
            if (limit != null) {
                Map<String, Object> row = BoundRows.distribution(key, counts, limit);
                row.put("detector", detector(counts.change(ContextCounts.TOXICITY), counts.toxicityJudged()));
                out.add(row);
            }
        });
        return out;
    }

    /**
     * The change detector of one stream as its aggregate holds it: ln of its e-SR statistic and of the
     * segment's e-value at the last check, each beside its threshold (null before its first check).
     */
    private Map<String, Object> detector(ChangeState state, long n) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("logStatistic", state == null ? null : finite(state.logStatistic()));
        d.put("logThreshold", change.logThreshold());
        d.put("logSegment", state == null ? null : finite(state.logSegment()));
        d.put("logSegmentThreshold", change.logSegmentThreshold());
        d.put("starts", state == null ? 0 : state.starts());
        d.put("segmentOutputs", state == null ? n : state.segmentOutputs(n));
        return d;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private void putExpression(Map<String, Object> row, Tally t, Map<String, Long> expressedCounts) {
        long expressed =
                expressedCounts.values().stream().mapToLong(Long::longValue).sum();
        ExpressionPolicy.Expression e = policy.of(t.n(), expressed);
        row.put("expressed", expressed);
        row.put("expressionRate", e.rate());
        row.put("tooFewExpressed", e.tooFew());
        row.put("expressionRateBelowBound", e.belowBound());
    }

    private List<Map<String, Object>> localEpisodes(Map<String, String> filter) {
        List<Map<String, Object>> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, TargetDistribution> targets = targetStore();
        forEachAttribute(filter, (key, counts, a) -> {
            DriftEpisode episode = counts.episode(a);
            if (episode == null) {
                return;
            }
            Map<String, Object> row = describe(key);
            row.put("episodeId", episode.episodeId());
            row.put("status", episode.status().name());
            row.put("detector", detector(counts.change(a), counts.sinceLive(a).expressed(Attribute.values()[a])));
            row.put("openedAtMillis", episode.openedAtMillis());
            // resolved, or superseded when its version stopped serving
            row.put("closedAtMillis", episode.open() ? null : episode.closedAtMillis());
            // an open episode shows where the distribution is now; a resolved one where it was when it resolved
            TargetDistribution target =
                    episode.open() ? TargetLookup.distribution(targets, key.attribute(), key.contextKey()) : null;
            if (target != null) {
                // since the change, not since live: a long healthy history would hide where it is
                Map<String, Long> expressedCounts = counts.sinceChange(a).expressedCounts(counts.categories(a));
                row.put(
                        "mae",
                        DistributionComparison.of(expressedCounts, target.getProbabilities())
                                .mae());
                row.put(
                        "n",
                        expressedCounts.values().stream()
                                .mapToLong(Long::longValue)
                                .sum());
            } else {
                row.put("mae", episode.lastMae());
                row.put("n", episode.n());
            }
            out.add(row);
        });
        forEachToxicity(filter, targets, (key, counts, limit) -> {
            DriftEpisode episode = counts.episode(ContextCounts.TOXICITY);
            if (episode != null) {
                Map<String, Object> row = BoundRows.episode(key, counts, episode, limit);
                row.put("detector", detector(counts.change(ContextCounts.TOXICITY), counts.toxicityJudged()));
                out.add(row);
            }
        });
        return out;
    }

    private List<Map<String, Object>> localWindows(Map<String, String> filter) {
        List<Map<String, Object>> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, TargetDistribution> targets = targetStore();
        forEachAttribute(filter, (key, counts, a) -> {
            TargetDistribution target = TargetLookup.distribution(targets, key.attribute(), key.contextKey());
            for (long start : counts.openWindows(counts.oldestBucket(), windows)) {
                Tally t = counts.window(a, start, windows);
                Map<String, Long> expressedCounts = t.expressedCounts(counts.categories(a));
                Map<String, Object> row = describe(key);
                row.put("windowStartMillis", start);
                row.put("windowEndMillis", start + windows.size());
                row.put("n", t.n());
                putExpression(row, t, expressedCounts);
                row.put(
                        "mae",
                        target == null
                                ? null
                                : DistributionComparison.of(expressedCounts, target.getProbabilities())
                                        .mae());
                out.add(row);
            }
        });
        return out;
    }

    interface AttributeVisitor {
        void visit(AuditKey key, ContextCounts counts, int attribute);
    }

    /** Every attribute of every local aggregate that matches the filter. */
    private void forEachAttribute(Map<String, String> filter, AttributeVisitor visitor) {
        ReadOnlyKeyValueStore<String, ContextCounts> store = streams.store(StoreQueryParameters.fromNameAndType(
                AuditTopology.AGGREGATES_STORE, QueryableStoreTypes.keyValueStore()));
        Attribute[] attributes = Attribute.values();
        try (KeyValueIterator<String, ContextCounts> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, ContextCounts> kv = it.next();
                VersionContext vc = VersionContext.parse(kv.key);
                for (int a = 0; a < attributes.length; a++) {
                    AuditKey key = vc.attribute(attributes[a].key());
                    if (matches(key, filter)) {
                        visitor.visit(key, kv.value, a);
                    }
                }
            }
        }
    }

    interface ToxicityVisitor {
        void visit(AuditKey key, ContextCounts counts, ToxicityLimit limit);
    }

    /**
     * Toxicity of every local aggregate that matches the filter, with the bound in force for its
     * context (null: none). It is counted since live only, so it has no windows.
     */
    private void forEachToxicity(
            Map<String, String> filter, ReadOnlyKeyValueStore<String, TargetDistribution> targets, ToxicityVisitor v) {
        ReadOnlyKeyValueStore<String, ContextCounts> store = streams.store(StoreQueryParameters.fromNameAndType(
                AuditTopology.AGGREGATES_STORE, QueryableStoreTypes.keyValueStore()));
        Map<String, ToxicityLimit> limits = new HashMap<>();
        try (KeyValueIterator<String, ContextCounts> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, ContextCounts> kv = it.next();
                AuditKey key = VersionContext.parse(kv.key).attribute(Toxicity.KEY);
                if (matches(key, filter)) {
                    ToxicityLimit limit = limits.computeIfAbsent(
                            key.contextKey(), c -> ToxicityLimit.find(targets, c, config.alpha()));
                    v.visit(key, kv.value, limit);
                }
            }
        }
    }

    private List<Map<String, Object>> targets() {
        List<Map<String, Object>> out = new ArrayList<>();
        try (KeyValueIterator<String, TargetDistribution> it = targetStore().all()) {
            while (it.hasNext()) {
                TargetDistribution t = it.next().value;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("attribute", t.getAttribute());
                row.put("context", t.getContextKey() == null ? TargetKey.ALL_CONTEXTS : t.getContextKey());
                row.put("probabilities", t.getProbabilities());
                row.put("tolerance", t.getTolerance());
                row.put(
                        "bound",
                        t.getBound() == null
                                ? null
                                : Map.of(
                                        "category",
                                        t.getBound().getCategory(),
                                        "maxShare",
                                        t.getBound().getMaxShare()));
                row.put("source", t.getSource());
                row.put("updatedAt", t.getUpdatedAt().toString());
                out.add(row);
            }
        }
        return out;
    }

    private ReadOnlyKeyValueStore<String, TargetDistribution> targetStore() {
        return streams.store(
                StoreQueryParameters.fromNameAndType(AuditTopology.TARGETS_STORE, QueryableStoreTypes.keyValueStore()));
    }

    static Map<String, Object> describe(AuditKey key) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", key.modelId());
        row.put("version", key.modelVersion());
        row.put("patch", key.steeringPatch());
        row.put("context", key.contextKey());
        row.put("attribute", key.attribute());
        return row;
    }

    static boolean matches(AuditKey key, Map<String, String> f) {
        return (f.get("context") == null || f.get("context").equals(key.contextKey()))
                && (f.get("attribute") == null || f.get("attribute").equals(key.attribute()))
                && (f.get("model") == null || f.get("model").equals(key.modelId()))
                && (f.get("version") == null || f.get("version").equals(String.valueOf(key.modelVersion())))
                && matchesPatch(key.steeringPatch(), f.get(PATCH));
    }

    /** No filter: any; empty: only rows without a patch; else that patch id exactly. */
    private static boolean matchesPatch(String patch, String filter) {
        if (filter == null) {
            return true;
        }
        return filter.isEmpty() ? patch == null : filter.equals(patch);
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                // an empty value is no filter, except for the patch, where it asks for rows without one
                if (eq < pair.length() - 1 || key.equals(PATCH)) {
                    q.put(key, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }
}
