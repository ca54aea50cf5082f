package io.ballast.auditor.topology;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The aggregates' store: a changelogged RocksDB store with a write-behind layer of objects in
 * place of Kafka Streams' byte cache. An update replaces the object held for its key; the objects
 * changed since the last commit are encoded and written (to RocksDB and the changelog) when Kafka
 * Streams flushes its caches, which it does before every commit, so the changelog in each
 * exactly-once transaction holds exactly the state of the offsets it commits, as with the byte
 * cache, without encoding an aggregate on every event.
 *
 * <p>That pre-commit hook is {@link CachedStateStore#flushCache()}, the one Kafka Streams' own
 * caching stores use; {@link StateStore#commit} comes after the transaction's commit, too late
 * (FaultToleranceIT loses counts then).
 *
 * <p>Interactive queries run on other threads: they get copies, taken while holding the
 * aggregate's monitor, which the processor holds while it updates one.
 */
final class AggregateStore implements KeyValueStore<String, ContextCounts>, CachedStateStore<String, ContextCounts> {

    private static final ContextCounts.BinarySerde SERDE = new ContextCounts.BinarySerde();

    private final KeyValueStore<String, ContextCounts> inner;
    private final Map<String, ContextCounts> pending = new ConcurrentHashMap<>();

    private AggregateStore(KeyValueStore<String, ContextCounts> inner) {
        this.inner = inner;
    }

    static StoreBuilder<AggregateStore> builder(String name) {
        // no byte cache below: this layer already writes each changed aggregate once per commit
        StoreBuilder<KeyValueStore<String, ContextCounts>> inner = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(name), Serdes.String(), SERDE)
                .withCachingDisabled();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<AggregateStore> withCachingEnabled() {
                throw new UnsupportedOperationException("the aggregate store is its own cache");
            }

            @Override
            public StoreBuilder<AggregateStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<AggregateStore> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<AggregateStore> withLoggingDisabled() {
                throw new UnsupportedOperationException("exactly-once restores the aggregates from their changelog");
            }

            @Override
            public AggregateStore build() {
                return new AggregateStore(inner.build());
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    /** Writes the changed aggregates through; Kafka Streams calls this before it commits. */
    private void writeBehind() {
        for (Iterator<Map.Entry<String, ContextCounts>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, ContextCounts> e = it.next();
            inner.put(e.getKey(), e.getValue());
            it.remove();
        }
    }

    /** Before every commit, inside its transaction. */
    @Override
    public void flushCache() {
        writeBehind();
    }

    /** After an aborted transaction: what was not written through belongs to offsets that were not committed. */
    @Override
    public void clearCache() {
        pending.clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, ContextCounts> listener, boolean sendOldValues) {
        return false;
    }

    // flush and commit come after the transaction's commit: writing pending aggregates then would put
    // state into the next transaction, ahead of its offsets; they stay for the next flushCache
    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public void put(String key, ContextCounts value) {
        pending.put(key, value);
    }

    @Override
    public ContextCounts get(String key) {
        ContextCounts p = pending.get(key);
        return p != null ? copy(p) : inner.get(key);
    }

    private static ContextCounts copy(ContextCounts counts) {
        byte[] bytes;
        synchronized (counts) {
            bytes = SERDE.serializer().serialize(null, counts);
        }
        return SERDE.deserializer().deserialize(null, bytes);
    }

    @Override
    public KeyValueIterator<String, ContextCounts> all() {
        Map<String, ContextCounts> merged = new TreeMap<>();
        try (KeyValueIterator<String, ContextCounts> it = inner.all()) {
            while (it.hasNext()) {
                KeyValue<String, ContextCounts> kv = it.next();
                merged.put(kv.key, kv.value);
            }
        }
        pending.forEach((k, v) -> merged.put(k, copy(v)));
        List<KeyValue<String, ContextCounts>> list = new ArrayList<>(merged.size());
        merged.forEach((k, v) -> list.add(KeyValue.pair(k, v)));
        return iterator(list);
    }

    @Override
    public KeyValueIterator<String, ContextCounts> range(String from, String to) {
        List<KeyValue<String, ContextCounts>> list = new ArrayList<>();
        try (KeyValueIterator<String, ContextCounts> it = all()) {
            while (it.hasNext()) {
                KeyValue<String, ContextCounts> kv = it.next();
                if ((from == null || kv.key.compareTo(from) >= 0) && (to == null || kv.key.compareTo(to) <= 0)) {
                    list.add(kv);
                }
            }
        }
        return iterator(list);
    }

    private static KeyValueIterator<String, ContextCounts> iterator(List<KeyValue<String, ContextCounts>> list) {
        return new KeyValueIterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < list.size();
            }

            @Override
            public KeyValue<String, ContextCounts> next() {
                return list.get(next++);
            }

            @Override
            public void close() {}

            @Override
            public String peekNextKey() {
                return list.get(next).key;
            }
        };
    }

    @Override
    public ContextCounts putIfAbsent(String key, ContextCounts value) {
        ContextCounts old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<String, ContextCounts>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public ContextCounts delete(String key) {
        ContextCounts old = get(key);
        pending.remove(key);
        inner.delete(key);
        return old;
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries() + pending.size();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        inner.init(context, root);
    }

    @Override
    public void close() {
        // what was not written through belongs to offsets that were not committed either
        pending.clear();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }
}
