package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The repartition form of an observed event: an unpatched one as before patches, a patched one with its patch. */
class ObservedEventTest {

    private final ObservedEvent.BinarySerde serde = new ObservedEvent.BinarySerde();

    @Test
    void givenAnUnpatchedEvent_whenWritten_thenItIsFormatThree_andTheFormatOneBytesOfAnEarlierInstanceStillRead()
            throws IOException {
        // given an output produced without a patch
        ObservedEvent e = event(null);

        // when written
        byte[] bytes = serde.serializer().serialize("t", e);

        // then it is format 3 (intended values and classifier names carried) and reads back without a patch
        assertThat(bytes[0]).isEqualTo((byte) 3);
        assertThat(roundTrip(bytes)).satisfies(back -> {
            assertThat(back.steeringPatch()).isNull();
            assertThat(back.aggregateKey()).isEqualTo("m|1|ctx");
            assertThat(back.intended()).containsExactly(e.intended());
            assertThat(back.classifiers()).isEqualTo(e.classifiers());
        });
        // and what an instance wrote before (format 1) reads with nothing intended and no classifier named
        ObservedEvent earlier = roundTrip(formatOne(e));
        assertThat(earlier.counted()).containsExactly(e.counted());
        assertThat(earlier.intended()).containsOnlyNulls();
        assertThat(earlier.classifiers()).isEmpty();
    }

    @Test
    void givenAForeignProducersEvent_whenWrittenAndRead_thenNothingIsIntendedAndItsReadingsAreKept() {
        // given an output with no steering tokens (a foreign producer): its readings, nothing intended
        ObservedEvent e = event(null);
        ObservedEvent foreign = new ObservedEvent(
                e.modelId(),
                e.modelVersion(),
                null,
                e.contextKey(),
                e.eventMillis(),
                e.counted(),
                new boolean[e.counted().length],
                new boolean[e.counted().length],
                false,
                new String[e.counted().length],
                e.classifiers());

        // when written and read
        ObservedEvent back = roundTrip(serde.serializer().serialize("t", foreign));

        // then every attribute's reading is kept and none is intended
        assertThat(back.counted()).containsExactly(e.counted());
        assertThat(back.intended()).containsOnlyNulls();
        assertThat(back.toxic()).isFalse();
    }

    @Test
    void givenAPatchedEventWithAHostilePatchId_whenWrittenAndRead_thenThePatchComesBackWhole() {
        // given an output under a patch whose id holds the separator, the patch mark and non-Latin text
        String patch = "p|1+2\\x-修补-🩹";
        ObservedEvent e = event(patch);

        // when written and read back
        byte[] bytes = serde.serializer().serialize("t", e);
        ObservedEvent back = roundTrip(bytes);

        // then it is format 4 (format 2 with intended values and classifier names) and every field is kept
        assertThat(bytes[0]).isEqualTo((byte) 4);
        assertThat(back.steeringPatch()).isEqualTo(patch);
        assertThat(back.modelId()).isEqualTo("m");
        assertThat(back.modelVersion()).isEqualTo(1);
        assertThat(back.contextKey()).isEqualTo("ctx");
        assertThat(back.eventMillis()).isEqualTo(90_000);
        assertThat(back.counted()).containsExactly(e.counted());
        assertThat(back.aggregateKey()).isEqualTo(VersionContext.of("m", 1, patch, "ctx"));
    }

    @Test
    void anUnknownFormatIsRefused() {
        byte[] bytes = serde.serializer().serialize("t", event(null));
        bytes[0] = 5;
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("format byte");
    }

    private ObservedEvent roundTrip(byte[] bytes) {
        return serde.deserializer().deserialize("t", bytes);
    }

    /** The form written before patches existed, spelled out here so a change to it shows. */
    private static byte[] formatOne(ObservedEvent e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            string(out, e.modelId());
            out.writeInt(e.modelVersion());
            string(out, e.contextKey());
            out.writeLong(e.eventMillis());
            out.writeByte(e.counted().length);
            for (int i = 0; i < e.counted().length; i++) {
                string(out, e.counted()[i]);
                out.writeByte((e.judgeable()[i] ? 1 : 0) | (e.consistent()[i] ? 2 : 0));
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void givenAJudgedEvent_whenWritten_thenItsLabelIsTheLastByte_andEarlierBytesReadAsNotJudged() throws IOException {
        // given an output judged toxic, and one judged not
        ObservedEvent unjudged = event(null);
        ObservedEvent toxic = judged(unjudged, true);
        ObservedEvent clean = judged(unjudged, false);

        // when written
        byte[] toxicBytes = serde.serializer().serialize("t", toxic);
        byte[] cleanBytes = serde.serializer().serialize("t", clean);
        byte[] unjudgedBytes = serde.serializer().serialize("t", unjudged);

        // then each is the unjudged bytes plus the label
        assertThat(toxicBytes).hasSize(unjudgedBytes.length + 1).startsWith(unjudgedBytes);
        assertThat(roundTrip(toxicBytes).toxic()).isTrue();
        assertThat(roundTrip(cleanBytes).toxic()).isFalse();
        // and what an earlier instance repartitioned (format 1) reads as not judged, not as clean, or with its label
        byte[] earlier = formatOne(unjudged);
        assertThat(roundTrip(earlier).toxic()).isNull();
        byte[] earlierJudged = java.util.Arrays.copyOf(earlier, earlier.length + 1);
        earlierJudged[earlier.length] = 1;
        assertThat(roundTrip(earlierJudged).toxic()).isTrue();
    }

    private static ObservedEvent judged(ObservedEvent e, boolean toxic) {
        return new ObservedEvent(
                e.modelId(),
                e.modelVersion(),
                e.steeringPatch(),
                e.contextKey(),
                e.eventMillis(),
                e.counted(),
                e.judgeable(),
                e.consistent(),
                toxic,
                e.intended(),
                e.classifiers());
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static ObservedEvent event(String patch) {
        return new ObservedEvent(
                "m",
                1,
                patch,
                "ctx",
                90_000,
                new String[] {"female", "unknown", "neutral"},
                new boolean[] {true, false, true},
                new boolean[] {true, false, false},
                null,
                new String[] {"female", "asian", "positive"},
                "gender-rules@1,race-rules@1,sentiment-vader@1,toxicity-lexicon@1");
    }
}
