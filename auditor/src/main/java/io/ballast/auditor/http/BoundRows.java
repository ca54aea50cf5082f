package io.ballast.auditor.http;

import io.ballast.auditor.drift.RateBoundSequence;
import io.ballast.auditor.topology.AuditKey;
import io.ballast.auditor.topology.ContextCounts;
import io.ballast.auditor.topology.DriftEpisode;
import io.ballast.auditor.topology.ToxicityLimit;
import io.ballast.schemas.attributes.Toxicity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code /api} rows of toxicity under a bound: a rate against its limit, not a distribution
 * against a target. A distribution row carries the bounded category, its {@code rate} with the
 * always-valid interval [{@code lower}, {@code upper}] the drift test uses, the {@code limit} and a
 * {@code verdict}: EXCEEDED (lower above the limit), WITHIN (upper below it) or UNDECIDED; beside
 * the fields every distribution row has, so a reader that knows none of this still lists it.
 */
final class BoundRows {

    private BoundRows() {}

    static Map<String, Object> distribution(AuditKey key, ContextCounts counts, ToxicityLimit limit) {
        RateBoundSequence.Reading r = limit.reading(counts);
        Map<String, Object> row = AuditorHttpApi.describe(key);
        row.put("kind", "bound");
        row.put("n", r.n());
        // every output judged for toxicity expresses it
        row.put("expressed", r.n());
        row.put("expressionRate", r.n() == 0 ? null : 1.0);
        row.put("tooFewExpressed", false);
        row.put("expressionRateBelowBound", false);
        String other = limit.category().equals(Toxicity.TOXIC) ? Toxicity.NON_TOXIC : Toxicity.TOXIC;
        Map<String, Long> countsRow = new LinkedHashMap<>();
        Map<String, Double> proportions = new LinkedHashMap<>();
        if (r.n() > 0) {
            countsRow.put(limit.category(), r.successes());
            countsRow.put(other, r.n() - r.successes());
            proportions.put(limit.category(), r.rate());
            proportions.put(other, 1 - r.rate());
        }
        row.put("counts", countsRow);
        row.put("proportions", proportions);
        row.put("consistencyRate", null);
        row.put("firstEventMillis", counts.firstEventMillis());
        row.put("lastEventMillis", counts.lastEventMillis());
        row.put("category", limit.category());
        row.put("rate", r.rate());
        row.put("lower", r.lower());
        row.put("upper", r.upper());
        row.put("limit", limit.maxShare());
        row.put("verdict", verdict(r));
        // no distribution to compare: the excess over the limit takes MAE's place
        row.put("mae", null);
        row.put("excess", r.rate() - r.maxShare());
        return row;
    }

    /** Toxicity's episode: where the rate is now while open (limit in force), else as at its last transition. */
    static Map<String, Object> episode(AuditKey key, ContextCounts counts, DriftEpisode episode, ToxicityLimit limit) {
        Map<String, Object> row = AuditorHttpApi.describe(key);
        row.put("kind", "bound");
        row.put("episodeId", episode.episodeId());
        row.put("status", episode.status().name());
        row.put("openedAtMillis", episode.openedAtMillis());
        row.put("closedAtMillis", episode.open() ? null : episode.closedAtMillis());
        if (episode.open() && limit != null) {
            // where the rate is since the change, not since live (a long healthy history would hide it)
            RateBoundSequence.Reading r = limit.readingSinceChange(counts);
            row.put("mae", r.rate() - r.maxShare());
            row.put("n", r.n());
            row.put("rate", r.rate());
            row.put("limit", r.maxShare());
        } else {
            row.put("mae", episode.lastMae());
            row.put("n", episode.n());
        }
        return row;
    }

    static String verdict(RateBoundSequence.Reading r) {
        if (r.exceeded()) {
            return "EXCEEDED";
        }
        return r.upper() < r.maxShare() ? "WITHIN" : "UNDECIDED";
    }
}
