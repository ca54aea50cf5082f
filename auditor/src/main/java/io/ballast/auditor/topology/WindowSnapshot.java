package io.ballast.auditor.topology;

import io.ballast.schemas.DistributionSnapshot;
import io.ballast.schemas.SnapshotScope;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** A snapshot for one hopping window's counts, against the target in force. */
final class WindowSnapshot implements Processor<Windowed<String>, CategoryCounts, String, DistributionSnapshot> {

    private ProcessorContext<String, DistributionSnapshot> context;
    private ReadOnlyKeyValueStore<String, ?> targets;

    @Override
    public void init(ProcessorContext<String, DistributionSnapshot> context) {
        this.context = context;
        this.targets = context.getStateStore(AuditTopology.TARGETS_STORE);
    }

    @Override
    public void process(Record<Windowed<String>, CategoryCounts> record) {
        if (record.value() == null) {
            return;
        }
        AuditKey key = AuditKey.parse(record.key().key());
        var target = TargetLookup.find(targets, key.attribute(), key.contextKey());
        context.forward(new Record<>(
                record.key().key(),
                Snapshots.of(
                        key,
                        record.value(),
                        target,
                        SnapshotScope.WINDOW,
                        record.key().window().start(),
                        record.key().window().end()),
                record.timestamp()));
    }
}
