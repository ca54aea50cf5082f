package io.ballast.auditor.topology;

import io.ballast.auditor.drift.ChangeDetector;
import io.ballast.auditor.drift.ChangeState;
import io.ballast.auditor.drift.RateBoundSequence;
import io.ballast.schemas.RateBound;
import io.ballast.schemas.TargetDistribution;
import io.ballast.schemas.attributes.Toxicity;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The bound on toxicity in force for one context ("at most 0.5% toxic"), and its one-sided
 * always-valid test ({@link RateBoundSequence}) at the auditor's alpha over an aggregate's outputs
 * judged for toxicity since live.
 */
public final class ToxicityLimit {

    private final TargetDistribution target;
    private final String category;
    private final RateBoundSequence sequence;
    private final ChangeDetector.Evidence evidence;

    private ToxicityLimit(TargetDistribution target, String category, RateBoundSequence sequence) {
        this.target = target;
        this.category = category;
        this.sequence = sequence;
        this.evidence = ChangeDetector.against(sequence, index());
    }

    /** Where the bounded category sits in {@link #split}. */
    private int index() {
        return Toxicity.TOXIC.equals(category) ? 0 : 1;
    }

    /** The outputs judged for toxicity since live as {toxic, non-toxic}: what the change detector counts. */
    public static long[] split(ContextCounts counts) {
        return new long[] {counts.toxic(), counts.toxicityJudged() - counts.toxic()};
    }

    /** The change detector's evidence that the rate exceeds the limit, from {@link #split} counts and n judged. */
    public ChangeDetector.Evidence evidence() {
        return evidence;
    }

    /** The rate since the alarm is shown to hold the limit: the episode resolves. */
    public ChangeDetector.Resolution resolution() {
        int index = index();
        return (counts, n) -> counts[index] < maxShare() * n && sequence.satisfied(counts[index], n);
    }

    /** The limit in force for a context (its own toxicity target, else the one for all), or null for none. */
    public static ToxicityLimit find(ReadOnlyKeyValueStore<String, ?> targets, String contextKey, double alpha) {
        return of(TargetLookup.find(targets, Toxicity.KEY, contextKey), alpha);
    }

    /**
     * The limit a toxicity target sets, or null when it sets none: no target, no bound, or one the
     * test cannot take (a category toxicity does not have, a share outside (0, 1)); targets files
     * reject those, but a record on the topic is not checked by them.
     */
    public static ToxicityLimit of(TargetDistribution target, double alpha) {
        if (target == null || target.getBound() == null) {
            return null;
        }
        RateBound bound = target.getBound();
        double max = bound.getMaxShare();
        if (!Toxicity.CATEGORIES.contains(bound.getCategory()) || !(max > 0 && max < 1)) {
            return null;
        }
        return new ToxicityLimit(target, bound.getCategory(), new RateBoundSequence(max, alpha));
    }

    public TargetDistribution target() {
        return target;
    }

    /** The bounded category: {@code toxic}, or (allowed, if odd) {@code non-toxic}. */
    public String category() {
        return category;
    }

    public double maxShare() {
        return sequence.maxShare();
    }

    /** Outputs the rate is over: those judged for toxicity since live. */
    public long n(ContextCounts counts) {
        return counts.toxicityJudged();
    }

    /** Outputs in the bounded category. */
    public long inCategory(ContextCounts counts) {
        return Toxicity.TOXIC.equals(category) ? counts.toxic() : counts.toxicityJudged() - counts.toxic();
    }

    /** The rate since live with its interval against the limit. */
    public RateBoundSequence.Reading reading(ContextCounts counts) {
        return reading(inCategory(counts), n(counts));
    }

    /**
     * The rate since the detector's last transition was decided (while an episode is open, since the
     * start that opened it; since live before any), with its interval against the limit.
     */
    public RateBoundSequence.Reading readingSinceChange(ContextCounts counts) {
        ChangeState watch = counts.change(ContextCounts.TOXICITY);
        if (watch == null) {
            return reading(counts);
        }
        long[] since = new long[2];
        long n = watch.evidenceSince(split(counts), n(counts), since);
        return reading(since[index()], n);
    }

    /** A rate over some outputs ({@code inCategory} of {@code n}) with its interval against the limit, from {@link #split} counts. */
    public RateBoundSequence.Reading reading(long[] split, long n) {
        return reading(split[index()], n);
    }

    /** A rate over some outputs ({@code inCategory} of {@code n}) with its interval against the limit. */
    public RateBoundSequence.Reading reading(long inCategory, long n) {
        return sequence.reading(inCategory, n);
    }
}
