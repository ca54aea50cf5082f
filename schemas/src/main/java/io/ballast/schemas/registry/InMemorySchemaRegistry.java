package io.ballast.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * A schema registry held in this JVM, for tests that run a topology on
 * {@code TopologyTestDriver} with no broker and no registry process. Reach a shared one through a
 * {@code mock://<scope>} URL ({@link SchemaRegistry#forUrl}), as Confluent's serdes do, or make a
 * private one with the constructor.
 *
 * <p>It answers as the real registry does where Ballast depends on it: ids are global and the
 * same schema gets the same id under every subject; re-registering a schema returns its id; an
 * unknown id is a {@link SchemaRegistryException} with status 404 (so the deserializer reports
 * {@code UNKNOWN_SCHEMA_ID}); a new version that breaks the global compatibility level
 * (default {@code BACKWARD}, as Ballast configures its registry) is refused with status 409.
 *
 * <p>What it does not do: per-subject compatibility config, deleting subjects or versions,
 * references, schema types other than Avro, or normalising schemas beyond Avro's own
 * {@link Schema#equals} (the real registry compares canonical strings). Compatibility is decided by
 * Avro's {@link SchemaCompatibility}, which is what Confluent's registry uses for Avro too;
 * Apicurio's own rules may differ at the edges.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {

    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();
    private static final Set<String> LEVELS = Set.of(
            "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

    private final String scope;
    private final Map<Schema, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    // versions in registration order; version n is element n-1
    private final Map<String, List<Schema>> versionsBySubject = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private volatile String compatibility = "BACKWARD";
    private int nextId = 1;

    /** A private registry, shared with nobody. */
    public InMemorySchemaRegistry() {
        this("private");
    }

    private InMemorySchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry every {@code mock://<scope>} URL in this JVM names, made on first use. */
    public static InMemorySchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, InMemorySchemaRegistry::new);
    }

    /** Forgets the scope's registry, so the next use of its URL starts empty (test isolation). */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    /** The {@code schema.registry.url} that names this scope. */
    public String url() {
        return MOCK_SCHEME + scope;
    }

    @Override
    public int register(String subject, Schema schema) {
        // the serializer calls this for every record: answer a known pair without the lock
        Integer known = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            known = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
            if (known != null) {
                return known;
            }
            List<String> problems = incompatibilities(subject, schema);
            if (!problems.isEmpty()) {
                throw new SchemaRegistryException(
                        "POST /subjects/" + subject + "/versions -> HTTP 409: schema "
                                + schema.getFullName() + " is incompatible with " + compatibility + " versions of "
                                + subject + ": "
                                + problems,
                        409,
                        409,
                        null);
            }
            int id = idsBySchema.computeIfAbsent(schema, s -> nextId++);
            schemasById.putIfAbsent(id, schema);
            versionsBySubject
                    .computeIfAbsent(subject, s -> new CopyOnWriteArrayList<>())
                    .add(schema);
            idsBySubject
                    .computeIfAbsent(subject, s -> new ConcurrentHashMap<>())
                    .put(schema, id);
            return id;
        }
    }

    @Override
    public OptionalInt lookup(String subject, Schema schema) {
        Integer id = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            // 40403 is Confluent's "schema not found"
            throw new SchemaRegistryException(
                    "GET /schemas/ids/" + id + " -> HTTP 404: schema " + id + " not found in " + url(),
                    404,
                    40403,
                    null);
        }
        return schema;
    }

    @Override
    public List<Integer> versions(String subject) {
        int n = versionsBySubject.getOrDefault(subject, List.of()).size();
        List<Integer> versions = new ArrayList<>(n);
        for (int v = 1; v <= n; v++) {
            versions.add(v);
        }
        return versions;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return incompatibilities(subject, schema).isEmpty();
    }

    @Override
    public String globalCompatibility() {
        return compatibility;
    }

    @Override
    public void setGlobalCompatibility(String level) {
        String normalised = level == null ? "" : level.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(normalised)) {
            // Confluent answers 422 "invalid compatibility level"
            throw new SchemaRegistryException(
                    "PUT /config -> HTTP 422: invalid compatibility level " + level, 422, 42203, null);
        }
        compatibility = normalised;
    }

    /** Why the schema may not join the subject under the global level; empty if it may. */
    private List<String> incompatibilities(String subject, Schema schema) {
        List<Schema> existing = versionsBySubject.getOrDefault(subject, List.of());
        if (existing.isEmpty() || compatibility.equals("NONE")) {
            return List.of();
        }
        List<Schema> against =
                compatibility.endsWith("_TRANSITIVE") ? existing : List.of(existing.get(existing.size() - 1));
        boolean backward = compatibility.startsWith("BACKWARD") || compatibility.startsWith("FULL");
        boolean forward = compatibility.startsWith("FORWARD") || compatibility.startsWith("FULL");
        List<String> problems = new ArrayList<>();
        for (Schema old : against) {
            if (backward) {
                // the new schema must read what the old one wrote
                collect(SchemaCompatibility.checkReaderWriterCompatibility(schema, old), "backward", problems);
            }
            if (forward) {
                // the old schema must read what the new one writes
                collect(SchemaCompatibility.checkReaderWriterCompatibility(old, schema), "forward", problems);
            }
        }
        return problems;
    }

    private static void collect(SchemaPairCompatibility result, String direction, List<String> problems) {
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            result.getResult()
                    .getIncompatibilities()
                    .forEach(i -> problems.add(direction + ": " + i.getMessage() + " at " + i.getLocation()));
        }
    }
}
