package io.ballast.classifiers.heads;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A softmax (logistic) regression over sentence embeddings: one weight row and bias per label.
 * Small enough to commit (384 floats a label), trained by {@link HeadTraining}; {@code provenance}
 * says on which data, with which settings, and what it scored on its validation split; {@code thresholds}
 * are the operating points chosen on that split (e.g. the toxic probability above which a text is toxic).
 */
public record LinearHead(
        String name,
        List<String> labels,
        float[][] weights,
        float[] bias,
        Map<String, Double> thresholds,
        Map<String, Object> provenance) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public LinearHead {
        if (labels.size() != weights.length || labels.size() != bias.length) {
            throw new IllegalArgumentException("head " + name + ": " + labels.size() + " labels but " + weights.length
                    + " weight rows and " + bias.length + " biases");
        }
    }

    public int dimension() {
        return weights[0].length;
    }

    /** Probabilities of the labels, in their order. */
    public double[] probabilities(float[] x) {
        double[] z = new double[labels.size()];
        for (int k = 0; k < z.length; k++) {
            double s = bias[k];
            float[] w = weights[k];
            for (int d = 0; d < w.length; d++) {
                s += w[d] * x[d];
            }
            z[k] = s;
        }
        normalise(z);
        return z;
    }

    /** Logits to probabilities in place, shifted by their maximum so exp never overflows. */
    static void normalise(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int k = 0; k < z.length; k++) {
            z[k] = Math.exp(z[k] - max);
            sum += z[k];
        }
        for (int k = 0; k < z.length; k++) {
            z[k] /= sum;
        }
    }

    /** The probability of one label. */
    public double probability(float[] x, String label) {
        int k = labels.indexOf(label);
        if (k < 0) {
            throw new IllegalArgumentException("head " + name + " has no label " + label + "; it has " + labels);
        }
        return probabilities(x)[k];
    }

    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write head " + name + " to " + file, e);
        }
    }

    public static LinearHead read(InputStream in) throws IOException {
        return JSON.readValue(in, LinearHead.class);
    }

    public double threshold(String name) {
        Double t = thresholds.get(name);
        if (t == null) {
            throw new IllegalStateException(
                    "head " + this.name + " has no threshold " + name + "; it has " + thresholds.keySet());
        }
        return t;
    }

    /** A committed head, from {@code /io/ballast/classifiers/heads/<name>.json} on the classpath. */
    public static LinearHead bundled(String name) {
        String resource = "/io/ballast/classifiers/heads/" + name + ".json";
        try (InputStream in = LinearHead.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no head " + resource + " on the classpath: train it with "
                        + "'ballast classifiers train " + name + "'");
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read head " + resource, e);
        }
    }
}
