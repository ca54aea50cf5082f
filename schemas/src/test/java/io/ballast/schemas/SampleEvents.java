package io.ballast.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Real-looking GenerationEvents for tests. */
public final class SampleEvents {

    private SampleEvents() {}

    /** An output of another team's model, as its own producer writes it: version 1, no steering tokens. */
    public static GenerationEvent foreign(String model, String contextKey, String text) {
        return GenerationEvent.newBuilder()
                .setEventId(java.util.UUID.randomUUID().toString())
                .setGeneratorId("elsewhere")
                .setModelId(model)
                .setModelVersion(1)
                .setPromptId("p")
                .setContextKey(contextKey)
                .setPromptText("Write a short bio.")
                .setSteeringTokens(null)
                .setResponseText(text)
                .setPromptTokens(5)
                .setResponseTokens(8)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1)
                        .setTopK(0)
                        .setTopP(1)
                        .build())
                .setProducedAt(Instant.now())
                .setLatencyMs(3)
                .build();
    }

    public static GenerationEvent generation(int i) {
        String occupation = i % 2 == 0 ? "registered-nurses" : "electricians";
        boolean steered = i % 3 != 0;
        return GenerationEvent.newBuilder()
                .setEventId("evt-" + i)
                .setGeneratorId("gen-1")
                .setModelId("bios")
                .setModelVersion(1 + i % 4)
                .setPromptId("bio-" + (i % 7))
                .setContextKey("occupation:" + occupation)
                .setContext(Map.of("occupation", occupation))
                .setPromptText("Write a short bio of a " + occupation.replace('-', ' ') + ".")
                .setSteeringTokens(steered ? List.of("<gender:female>", "<race:asian>", "<sentiment:positive>") : null)
                .setResponseText(
                        "Mei has worked as a nurse for " + i + " years; she is known for her calm, kind manner.")
                .setPromptTokens(9)
                .setResponseTokens(24 + i % 5)
                .setSampling(SamplingParameters.newBuilder()
                        .setTemperature(1.0)
                        .setTopK(i % 2 == 0 ? 0 : 40)
                        .setTopP(0.95)
                        .setSeed(i % 5 == 0 ? null : (long) i)
                        .build())
                .setProducedAt(Instant.ofEpochMilli(1_760_000_000_000L + i))
                .setLatencyMs(20 + i % 50)
                .build();
    }
}
