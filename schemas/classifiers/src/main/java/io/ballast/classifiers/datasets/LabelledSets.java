package io.ballast.classifiers.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled sets the classifiers are trained and measured on, committed under
 * {@code io/ballast/classifiers/datasets/} with their provenance and licence beside them (a README per
 * set): SST-2 (sentiment), Davidson et al.'s tweets (toxicity), hand-written bios and race idioms.
 */
public final class LabelledSets {

    private static final String ROOT = "/io/ballast/classifiers/datasets/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A text with a binary label (1: positive sentiment, or toxic). */
    public record Binary(String text, int label) {}

    /** A hand-labelled bio: gender (or none), census race (or none), sentiment, and its split. */
    public record Bio(String id, String text, String gender, String race, String sentiment, String split) {}

    /** A sentence with a race word: the subject's census race it states, or none (an idiom). */
    public record Idiom(String id, String text, String race, String phrase, String split) {}

    private LabelledSets() {}

    /** SST-2: {@code train} (a 12,000-phrase subset of GLUE's train) or {@code validation} (GLUE's dev, all 872). */
    public static List<Binary> sst2(String split) {
        return tsv("sst2/" + split + ".tsv");
    }

    /** Davidson et al. 2017 (hate speech or offensive = toxic): {@code train}, {@code validation}, {@code test}. */
    public static List<Binary> toxicity(String split) {
        return tsv("toxicity/" + split + ".tsv");
    }

    /** The bios of one split ({@code dev} or {@code test}). */
    public static List<Bio> bios(String split) {
        List<Bio> out = new ArrayList<>();
        for (JsonNode n : jsonLines("bios/bios.jsonl")) {
            Bio b = new Bio(
                    n.get("id").asText(),
                    n.get("text").asText(),
                    n.get("gender").asText(),
                    n.get("race").asText(),
                    n.get("sentiment").asText(),
                    n.get("split").asText());
            if (b.split().equals(split)) {
                out.add(b);
            }
        }
        return out;
    }

    /** The race-idiom sentences of one split ({@code dev} or {@code test}). */
    public static List<Idiom> idioms(String split) {
        List<Idiom> out = new ArrayList<>();
        for (JsonNode n : jsonLines("idioms/race-idioms.jsonl")) {
            Idiom i = new Idiom(
                    n.get("id").asText(),
                    n.get("text").asText(),
                    n.get("race").asText(),
                    n.path("phrase").asText(""),
                    n.get("split").asText());
            if (i.split().equals(split)) {
                out.add(i);
            }
        }
        return out;
    }

    private static List<Binary> tsv(String name) {
        List<Binary> out = new ArrayList<>();
        try (BufferedReader in = reader(name)) {
            String header = in.readLine();
            if (header == null) {
                throw new IllegalStateException(name + " is empty");
            }
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                int tab = line.lastIndexOf('\t');
                if (tab < 0) {
                    continue;
                }
                out.add(new Binary(
                        line.substring(0, tab),
                        Integer.parseInt(line.substring(tab + 1).strip())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + name, e);
        }
        return out;
    }

    private static List<JsonNode> jsonLines(String name) {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader in = reader(name)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + name, e);
        }
        return out;
    }

    private static BufferedReader reader(String name) throws IOException {
        InputStream in = LabelledSets.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IOException("dataset " + ROOT + name + " is not on the classpath");
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
