package io.ballast.auditor.topology;

import io.ballast.schemas.attributes.AttributeClassifiers;
import io.ballast.schemas.attributes.Observation;
import io.ballast.schemas.attributes.Toxicity;
import io.ballast.schemas.domain.Attribute;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One output as the aggregate needs it: its (model, version, steering patch, context), event time,
 * per attribute (in {@link Attribute#values()} order) the counted value (the text's reading, never a
 * steering token), its consistency and the value its steering token intended (null without one),
 * whether the text is toxic (null when not judged: a record written before toxicity was read), and
 * which classifiers read it ({@link AttributeClassifiers#names()} joined; empty in records written
 * before they were named). It is the one record per event on the repartition topic, in a compact
 * binary form that only the auditor reads.
 */
public record ObservedEvent(
        String modelId,
        int modelVersion,
        String steeringPatch,
        String contextKey,
        long eventMillis,
        String[] counted,
        boolean[] judgeable,
        boolean[] consistent,
        Boolean toxic,
        String[] intended,
        String classifiers) {

    /** An output read before intended values and classifier names were carried. */
    public ObservedEvent(
            String modelId,
            int modelVersion,
            String steeringPatch,
            String contextKey,
            long eventMillis,
            String[] counted,
            boolean[] judgeable,
            boolean[] consistent,
            Boolean toxic) {
        this(
                modelId,
                modelVersion,
                steeringPatch,
                contextKey,
                eventMillis,
                counted,
                judgeable,
                consistent,
                toxic,
                new String[counted.length],
                "");
    }

    /** An output whose toxicity was not judged. */
    public ObservedEvent(
            String modelId,
            int modelVersion,
            String steeringPatch,
            String contextKey,
            long eventMillis,
            String[] counted,
            boolean[] judgeable,
            boolean[] consistent) {
        this(modelId, modelVersion, steeringPatch, contextKey, eventMillis, counted, judgeable, consistent, null);
    }

    private static final Attribute[] ATTRIBUTES = Attribute.values();
    /** An unpatched output: the form written before patches existed. */
    private static final byte FORMAT = 1;
    /** An output under a steering patch: format 1 with the patch after the version. */
    private static final byte FORMAT_PATCHED = 2;
    /** Formats 1 and 2 with each attribute's intended value after its flags and the classifiers' names after them. */
    private static final byte FORMAT_INTENDED = 3;

    private static final byte FORMAT_PATCHED_INTENDED = 4;

    /**
     * Reads one event: every attribute from its text by the configured classifiers, whoever produced
     * it. A steering token, where the producer wrote one, is only the intended value.
     */
    static ObservedEvent of(GenerationFields e, AttributeClassifiers classifiers, String classifierNames) {
        String[] counted = new String[ATTRIBUTES.length];
        boolean[] judgeable = new boolean[ATTRIBUTES.length];
        boolean[] consistent = new boolean[ATTRIBUTES.length];
        String[] intended = new String[ATTRIBUTES.length];
        Map<Attribute, String> fromText = classifiers.extractAll(e.responseText());
        for (int i = 0; i < ATTRIBUTES.length; i++) {
            Observation o = Observation.of(ATTRIBUTES[i], e.steeringTokens(), fromText.get(ATTRIBUTES[i]));
            counted[i] = o.counted();
            judgeable[i] = o.judgeable();
            consistent[i] = o.consistent();
            intended[i] = o.intended();
        }
        return new ObservedEvent(
                e.modelId(),
                e.modelVersion(),
                e.steeringPatch(),
                e.contextKey(),
                e.producedAtMillis(),
                counted,
                judgeable,
                consistent,
                Toxicity.TOXIC.equals(classifiers.toxicity().classify(e.responseText())),
                intended,
                classifierNames);
    }

    /** The aggregate this event updates; see {@link VersionContext}. */
    public String aggregateKey() {
        return VersionContext.of(modelId, modelVersion, steeringPatch, contextKey);
    }

    /**
     * Binary: format byte, strings as length-prefixed UTF-8; the attribute count guards against a
     * changed attribute set. An unpatched output is written in format 1, byte for byte as before
     * patches, so an instance not yet upgraded still reads what an upgraded one repartitions to it
     * during a rolling deploy; only an output under a patch is written in format 2, which carries
     * the patch after the version. Both are read. The toxicity label, when judged, is one byte after
     * the attributes: readers before it stop at the last attribute and never look, and a record
     * without it reads as not judged. Formats 3 and 4 (written now) are 1 and 2 with each attribute's
     * intended value ("" for none) after its flags, and the classifiers' names after the attributes;
     * an instance that predates them dead-letters them during a rolling upgrade, so upgrade auditors
     * together.
     */
    public static final class BinarySerde implements Serde<ObservedEvent> {

        @Override
        public Serializer<ObservedEvent> serializer() {
            return (topic, e) -> {
                if (e == null) {
                    return null;
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + e.contextKey.length());
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    out.writeByte(e.steeringPatch == null ? FORMAT_INTENDED : FORMAT_PATCHED_INTENDED);
                    writeString(out, e.modelId);
                    out.writeInt(e.modelVersion);
                    if (e.steeringPatch != null) {
                        writeString(out, e.steeringPatch);
                    }
                    writeString(out, e.contextKey);
                    out.writeLong(e.eventMillis);
                    out.writeByte(e.counted.length);
                    for (int i = 0; i < e.counted.length; i++) {
                        writeString(out, e.counted[i]);
                        out.writeByte((e.judgeable[i] ? 1 : 0) | (e.consistent[i] ? 2 : 0));
                        writeString(out, e.intended[i] == null ? "" : e.intended[i]);
                    }
                    writeString(out, e.classifiers);
                    if (e.toxic != null) {
                        out.writeByte(e.toxic ? 1 : 0);
                    }
                } catch (IOException ex) {
                    throw new SerializationException(ex);
                }
                return bytes.toByteArray();
            };
        }

        @Override
        public Deserializer<ObservedEvent> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null) {
                    return null;
                }
                try {
                    ByteBuffer in = ByteBuffer.wrap(bytes);
                    byte format = in.get();
                    if (format < FORMAT || format > FORMAT_PATCHED_INTENDED) {
                        throw new SerializationException("not an observed event in " + topic + " (format byte)");
                    }
                    boolean patched = format == FORMAT_PATCHED || format == FORMAT_PATCHED_INTENDED;
                    boolean withIntended = format >= FORMAT_INTENDED;
                    String model = readString(in);
                    int version = in.getInt();
                    String patch = patched ? readString(in) : null;
                    String context = readString(in);
                    long millis = in.getLong();
                    int k = in.get();
                    if (k != ATTRIBUTES.length) {
                        throw new SerializationException("observed event in " + topic + " has " + k
                                + " attributes, expected " + ATTRIBUTES.length);
                    }
                    String[] counted = new String[k];
                    boolean[] judgeable = new boolean[k];
                    boolean[] consistent = new boolean[k];
                    String[] intended = new String[k];
                    for (int i = 0; i < k; i++) {
                        counted[i] = canonical(i, readString(in));
                        byte flags = in.get();
                        judgeable[i] = (flags & 1) != 0;
                        consistent[i] = (flags & 2) != 0;
                        if (withIntended) {
                            String v = readString(in);
                            intended[i] = v.isEmpty() ? null : canonical(i, v);
                        }
                    }
                    String classifiers = withIntended ? readString(in).intern() : "";
                    Boolean toxic = in.hasRemaining() ? in.get() != 0 : null;
                    return new ObservedEvent(
                            model,
                            version,
                            patch,
                            context,
                            millis,
                            counted,
                            judgeable,
                            consistent,
                            toxic,
                            intended,
                            classifiers);
                } catch (RuntimeException ex) {
                    throw ex instanceof SerializationException s
                            ? s
                            : new SerializationException("not an observed event in " + topic, ex);
                }
            };
        }

        /** The attribute's own category string when it is one, so the aggregate's lookups mostly compare identical strings. */
        static String canonical(int attribute, String value) {
            if (Attribute.UNKNOWN.equals(value)) {
                return Attribute.UNKNOWN;
            }
            for (String c : ATTRIBUTES[attribute].categories()) {
                if (c.equals(value)) {
                    return c;
                }
            }
            return value;
        }

        private static void writeString(DataOutputStream out, String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }

        private static String readString(ByteBuffer in) {
            int length = in.getInt();
            String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return s;
        }
    }
}
