package io.ballast.auditor.topology;

/**
 * When a distribution has enough outputs that express its attribute to be tested for drift, and
 * the optional lower bound on the share that do (the expression rate). A model that never names
 * race is not drifting on race: it is not expressing it, which is reported as such.
 */
public record ExpressionPolicy(long minExpressed, double minRate) {

    public static final ExpressionPolicy NONE = new ExpressionPolicy(0, 0);

    /** What a distribution of {@code n} outputs, {@code expressed} of which express the attribute, reports. */
    public Expression of(long n, long expressed) {
        Double rate = n == 0 ? null : expressed / (double) n;
        return new Expression(expressed, rate, expressed < minExpressed, rate != null && rate < minRate);
    }

    /** Whether the drift test runs on this many expressing outputs. */
    public boolean testable(long expressed) {
        return expressed >= minExpressed && expressed > 0;
    }

    public record Expression(long expressed, Double rate, boolean tooFew, boolean belowBound) {}
}
