package io.ballast.schemas.registry;

import java.util.List;
import java.util.OptionalInt;
import org.apache.avro.Schema;

/**
 * The part of a Confluent-style schema registry that Ballast uses: register, look up, fetch by
 * id, compatibility and global config. {@link SchemaRegistryClient} speaks to a real registry over
 * HTTP; {@link InMemorySchemaRegistry} keeps everything in this JVM, for tests that run a topology
 * without a broker or a registry process.
 *
 * <p>Errors are {@link SchemaRegistryException}s with the HTTP status the real registry would
 * answer (404 for an unknown id or subject, 409 for an incompatible schema), so code that keys on
 * the status behaves the same against either.
 */
public interface SchemaRegistry {

    /**
     * URL scheme for an in-memory registry, as Confluent's serdes accept it: every
     * {@code mock://<scope>} URL in a JVM names one shared {@link InMemorySchemaRegistry}.
     */
    String MOCK_SCHEME = "mock://";

    /**
     * The registry for a {@code schema.registry.url}: one shared in-memory registry per scope for
     * {@code mock://<scope>}, otherwise one shared HTTP client (one cache) per URL. Anything that
     * takes the URL from configuration therefore works against either unchanged.
     */
    static SchemaRegistry forUrl(String url) {
        if (url != null && url.startsWith(MOCK_SCHEME)) {
            return InMemorySchemaRegistry.scope(url.substring(MOCK_SCHEME.length()));
        }
        return SchemaRegistryClient.shared(url);
    }

    /** Registers the schema under the subject (a no-op returning the existing id if it is there). */
    int register(String subject, Schema schema);

    /** The id of the schema under the subject, if registered there; never registers. */
    OptionalInt lookup(String subject, Schema schema);

    /** The schema with this id; throws {@link SchemaRegistryException} with status 404 if unknown. */
    Schema schemaById(int id);

    /** Version numbers registered under the subject; empty if the subject does not exist. */
    List<Integer> versions(String subject);

    /** Whether the schema may be registered under the subject; true if the subject is new. */
    boolean isCompatible(String subject, Schema schema);

    String globalCompatibility();

    void setGlobalCompatibility(String level);
}
