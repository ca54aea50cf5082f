package io.ballast.auditor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.ballast.schemas.DriftStatus;
import io.ballast.schemas.domain.Attribute;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-(model version, context) aggregate: hopping windows summed from time buckets, and its binary form. */
class ContextCountsTest {

    private static final ContextCounts.Windows TEN_MINUTES_BY_ONE =
            ContextCounts.Windows.of(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMinutes(1));
    private static final int GENDER = Attribute.GENDER.ordinal();
    private static final int RACE = Attribute.RACE.ordinal();

    @Test
    void aWindowCountsExactlyTheEventsInItsSpanAsHoppingWindowsWould() {
        // given events at 0:30, 5:30 and 10:30 (minutes)
        ContextCounts counts = ContextCounts.empty();
        for (int minute : new int[] {0, 5, 10}) {
            counts.add(event(minute * 60_000L + 30_000, "female", "unknown"), TEN_MINUTES_BY_ONE);
        }

        // then each open window [s, s + 10 min) holds the events in it, as a windowed count would
        List<Long> starts = counts.openWindows(Long.MIN_VALUE, TEN_MINUTES_BY_ONE);
        for (long s : starts) {
            long expected = 0;
            for (int minute : new int[] {0, 5, 10}) {
                long t = minute * 60_000L + 30_000;
                expected += t >= s && t < s + 600_000 ? 1 : 0;
            }
            assertThat(counts.window(GENDER, s, TEN_MINUTES_BY_ONE).n())
                    .as("window at %d", s)
                    .isEqualTo(expected);
        }
        // and windows closed by then (end + grace before 10:30) are no longer offered; open ones with events are
        assertThat(starts).allMatch(s -> s + 600_000 + 60_000 > 630_000).contains(60_000L, 600_000L);
        // and since live counts everything
        assertThat(counts.sinceLive(GENDER).n()).isEqualTo(3);
    }

    @Test
    void bucketsAreDroppedOnceEveryWindowCoveringThemHasClosedButSinceLiveKeepsCounting() {
        ContextCounts counts = ContextCounts.empty();
        counts.add(event(0, "female", "white"), TEN_MINUTES_BY_ONE);
        // an hour later the first bucket's windows have all closed
        counts.add(event(3_600_000, "male", "white"), TEN_MINUTES_BY_ONE);
        assertThat(counts.oldestBucket()).isEqualTo(3_600_000);
        // and an event as late as the first is counted since live but in no window
        assertThat(counts.add(event(1_000, "male", "white"), TEN_MINUTES_BY_ONE))
                .isEqualTo(Long.MIN_VALUE);
        assertThat(counts.sinceLive(GENDER).n()).isEqualTo(3);
    }

    @Test
    void theBinaryFormKeepsCountsCategoriesBucketsAndEpisodes() {
        // given an aggregate with an expressed and an unexpressed value, a category no attribute lists, and an episode
        ContextCounts counts = ContextCounts.empty();
        counts.add(event(90_000, "female", "unknown"), TEN_MINUTES_BY_ONE);
        counts.add(event(150_000, "agender", "asian"), TEN_MINUTES_BY_ONE);
        counts.episode(RACE, new DriftEpisode("ep-1", DriftStatus.OPEN, 5, 0, 0.25, 2, "sig-1"));

        // when written and read back
        ContextCounts.BinarySerde serde = new ContextCounts.BinarySerde();
        ContextCounts back =
                serde.deserializer().deserialize("t", serde.serializer().serialize("t", counts));

        // then it is the same aggregate
        assertThat(back.sinceLive(GENDER).counts(back.categories(GENDER)))
                .containsEntry("female", 1L)
                .containsEntry("agender", 1L);
        assertThat(back.sinceLive(RACE).expressed(Attribute.RACE)).isEqualTo(1);
        assertThat(back.sinceLive(RACE).n()).isEqualTo(2);
        assertThat(back.episode(RACE)).isEqualTo(counts.episode(RACE));
        assertThat(back.episode(GENDER)).isNull();
        assertThat(back.openWindows(Long.MIN_VALUE, TEN_MINUTES_BY_ONE))
                .isEqualTo(counts.openWindows(Long.MIN_VALUE, TEN_MINUTES_BY_ONE));
        assertThat(back.firstEventMillis()).isEqualTo(90_000);
        assertThat(back.lastEventMillis()).isEqualTo(150_000);
    }

    @Test
    void givenToxicityCountsAndItsEpisode_whenWrittenAndReadBack_thenTheyAreKept() {
        // given three outputs judged for toxicity, one toxic, one not judged, and an open toxicity episode
        ContextCounts counts = ContextCounts.empty();
        counts.add(judged(event(90_000, "female", "white"), true), TEN_MINUTES_BY_ONE);
        counts.add(judged(event(91_000, "female", "white"), false), TEN_MINUTES_BY_ONE);
        counts.add(judged(event(92_000, "male", "white"), false), TEN_MINUTES_BY_ONE);
        counts.add(event(93_000, "male", "white"), TEN_MINUTES_BY_ONE);
        counts.episode(ContextCounts.TOXICITY, new DriftEpisode("ep-t", DriftStatus.OPEN, 5, 0, 0.3, 3, "sig-t"));

        // when written and read back
        ContextCounts back =
                SERDE.deserializer().deserialize("t", SERDE.serializer().serialize("t", counts));

        // then the toxicity counts and episode are as they were
        assertThat(back.toxicityJudged()).isEqualTo(3);
        assertThat(back.toxic()).isEqualTo(1);
        assertThat(back.episode(ContextCounts.TOXICITY)).isEqualTo(counts.episode(ContextCounts.TOXICITY));
        assertThat(back.sinceLive(GENDER).n()).isEqualTo(4);
    }

    @Test
    void givenAnAggregateWrittenBeforeToxicity_whenRead_thenItReadsWithNoneJudged() {
        // given the bytes an auditor wrote before toxicity was counted: the same layout, ending at the buckets
        ContextCounts before = ContextCounts.empty();
        before.add(event(90_000, "female", "unknown"), TEN_MINUTES_BY_ONE);
        before.episode(RACE, new DriftEpisode("ep-1", DriftStatus.OPEN, 5, 0, 0.25, 2, "sig-1"));
        byte[] now = SERDE.serializer().serialize("t", before);
        // the toxicity section of an aggregate with none judged and no episode: marker, two counts, "no episode";
        // then the intended section
        byte[] earlier = Arrays.copyOf(now, now.length - (1 + 8 + 8 + 1) - intendedSectionSize("") - NO_CHANGE_SECTION);

        // when read
        ContextCounts back = SERDE.deserializer().deserialize("t", earlier);

        // then it is the aggregate it was, with no toxicity judged and no toxicity episode
        assertThat(back.sinceLive(GENDER).counts(back.categories(GENDER))).containsEntry("female", 1L);
        assertThat(back.episode(RACE)).isEqualTo(before.episode(RACE));
        assertThat(back.toxicityJudged()).isZero();
        assertThat(back.episode(ContextCounts.TOXICITY)).isNull();
        // and counting goes on from there, written with its section from now on
        back.add(judged(event(91_000, "male", "white"), true), TEN_MINUTES_BY_ONE);
        ContextCounts again =
                SERDE.deserializer().deserialize("t", SERDE.serializer().serialize("t", back));
        assertThat(again.toxic()).isEqualTo(1);
        assertThat(again.sinceLive(GENDER).n()).isEqualTo(2);
    }

    @Test
    void givenAnAggregateWrittenBeforeIntendedValues_whenRead_thenNoneIsIntended_andTheNextClassifierNameIsKept() {
        // given the bytes an auditor wrote before intended values were kept: ending at toxicity's section
        ContextCounts before = ContextCounts.empty();
        before.add(judged(event(90_000, "female", "unknown"), false), TEN_MINUTES_BY_ONE);
        byte[] now = SERDE.serializer().serialize("t", before);
        byte[] earlier = Arrays.copyOf(now, now.length - intendedSectionSize("") - NO_CHANGE_SECTION);

        // when read
        ContextCounts back = SERDE.deserializer().deserialize("t", earlier);

        // then its counts are there, nothing is intended, and no classifier is known
        assertThat(back.sinceLive(GENDER).n()).isEqualTo(1);
        assertThat(back.toxicityJudged()).isEqualTo(1);
        assertThat(back.intended(GENDER)).isEmpty();
        assertThat(back.classifierOf(GENDER)).isNull();
    }

    @Test
    void givenIntendedValuesAndAClassifier_whenWrittenAndRead_thenBothAreKept_andAnotherClassifierStartsANewSeries() {
        // given two outputs read by one set of classifiers, each with a steering token
        ContextCounts counts = ContextCounts.empty();
        counts.add(intended(event(90_000, "female", "white"), "gender-rules@1,r@1,s@1,t@1"), TEN_MINUTES_BY_ONE);
        counts.add(intended(event(91_000, "unknown", "white"), "gender-rules@1,r@1,s@1,t@1"), TEN_MINUTES_BY_ONE);

        // when written and read back
        ContextCounts back =
                SERDE.deserializer().deserialize("t", SERDE.serializer().serialize("t", counts));

        // then the intended counts are the tokens' values, beside the text's readings, and the classifier is named
        assertThat(back.intended(GENDER)).containsExactly(Map.entry("female", 2L));
        assertThat(back.sinceLive(GENDER).counts(back.categories(GENDER)))
                .containsEntry("female", 1L)
                .containsEntry("unknown", 1L);
        assertThat(back.classifierOf(GENDER)).isEqualTo("gender-rules@1");

        // and when another classifier reads the next output, the counts restart: a new instrument, not drift
        back.add(intended(event(92_000, "male", "white"), "gender-rules@2,r@1,s@1,t@1"), TEN_MINUTES_BY_ONE);
        assertThat(back.sinceLive(GENDER).n()).isEqualTo(1);
        assertThat(back.intended(GENDER)).containsExactly(Map.entry("female", 1L));
        assertThat(back.classifierOf(GENDER)).isEqualTo("gender-rules@2");
    }

    private static ObservedEvent intended(ObservedEvent e, String classifiers) {
        return new ObservedEvent(
                e.modelId(),
                e.modelVersion(),
                e.steeringPatch(),
                e.contextKey(),
                e.eventMillis(),
                e.counted(),
                e.judgeable(),
                e.consistent(),
                null,
                new String[] {"female", null, null},
                classifiers);
    }

    /** The change section of an aggregate no detector has decided on yet: marker, then "none" per slot. */
    private static final int NO_CHANGE_SECTION = 1 + ContextCounts.EPISODE_SLOTS;

    @Test
    void
            givenAnAggregateWhoseDetectorsHaveState_whenWrittenAndRead_thenEachSlotsStateComesBack_andOlderBytesReadWithNone() {
        // given an aggregate with a change detector state on gender and on toxicity
        ContextCounts counts = ContextCounts.empty();
        counts.add(judged(event(90_000, "female", "unknown"), true), TEN_MINUTES_BY_ONE);
        counts.change(GENDER, io.ballast.auditor.drift.ChangeState.from(new long[] {1, 0, 0}, 1));
        counts.change(ContextCounts.TOXICITY, io.ballast.auditor.drift.ChangeState.from(new long[] {1}, 1));
        byte[] bytes = SERDE.serializer().serialize("t", counts);

        // when read back
        ContextCounts back = SERDE.deserializer().deserialize("t", bytes);

        // then the slots with state have it, the others have none
        assertThat(back.change(GENDER).segmentOutputs(11)).isEqualTo(10);
        assertThat(back.change(ContextCounts.TOXICITY).segmentOutputs(5)).isEqualTo(4);
        assertThat(back.change(RACE)).isNull();
        // and the bytes written before change detection (ending at the intended section) read with none
        ContextCounts fresh = ContextCounts.empty();
        fresh.add(event(90_000, "female", "unknown"), TEN_MINUTES_BY_ONE);
        byte[] now = SERDE.serializer().serialize("t", fresh);
        ContextCounts earlier =
                SERDE.deserializer().deserialize("t", Arrays.copyOf(now, now.length - NO_CHANGE_SECTION));
        assertThat(earlier.change(GENDER)).isNull();
        assertThat(earlier.sinceLive(GENDER).n()).isEqualTo(1);
    }

    /** Marker, the classifiers' names, then per attribute a count byte and a long per category. */
    private static int intendedSectionSize(String classifiers) {
        int size = 1 + 2 + classifiers.length();
        for (io.ballast.schemas.domain.Attribute a : io.ballast.schemas.domain.Attribute.values()) {
            size += 1 + 8 * a.categories().size();
        }
        return size;
    }

    private static final ContextCounts.BinarySerde SERDE = new ContextCounts.BinarySerde();

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
                toxic);
    }

    private static ObservedEvent event(long millis, String gender, String race) {
        return new ObservedEvent(
                "m",
                1,
                null,
                "ctx",
                millis,
                new String[] {gender, race, "neutral"},
                new boolean[] {false, false, false},
                new boolean[] {false, false, false});
    }
}
