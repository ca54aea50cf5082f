package io.ballast.generator.service;

import io.ballast.generator.sampling.SamplingParams;
import io.ballast.schemas.GenerationEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Work for the generator: n responses to a prompt in a context. Completes with the events once
 * Kafka has acknowledged every one of them, or exceptionally with why not.
 */
public record GenerationRequest(
        String contextKey,
        String promptId,
        String prompt,
        int n,
        SamplingParams sampling,
        long acceptedAtMillis,
        CompletableFuture<Result> result) {

    /** What served the request: the version, its steering patch (null: none), and the outputs. */
    public record Result(int modelVersion, String steeringPatch, List<GenerationEvent> events) {}

    /** The request was not taken (queue full, shutting down): the caller should retry later. */
    public static final class RejectedException extends RuntimeException {
        public RejectedException(String message) {
            super(message);
        }
    }
}
