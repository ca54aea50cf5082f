package io.ballast.generator.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings in the Hugging Face layout ("rotate half": the first and second
 * halves of each head are the pairs), with the checkpoint's base and frequency rescaling. The
 * angle table covers the model's context once, in float32 as the reference computes it.
 */
final class RotaryEmbedding {

    private final int headWidth;
    private final int contextLength;
    private final float[] cos;
    private final float[] sin;

    RotaryEmbedding(int headWidth, int contextLength, double theta, DecoderArchitecture.RopeScaling scaling) {
        this.headWidth = headWidth;
        this.contextLength = contextLength;
        float[] inverse = inverseFrequencies(headWidth, theta, scaling);
        int half = headWidth / 2;
        this.cos = new float[contextLength * headWidth];
        this.sin = new float[contextLength * headWidth];
        for (int p = 0; p < contextLength; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inverse[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                // each frequency serves both halves: cat(freqs, freqs)
                cos[p * headWidth + i] = c;
                cos[p * headWidth + half + i] = c;
                sin[p * headWidth + i] = s;
                sin[p * headWidth + half + i] = s;
            }
        }
    }

    /** 1 / θ^(2i/d) per pair, rescaled as the checkpoint's rope_scaling says. */
    static float[] inverseFrequencies(int headWidth, double theta, DecoderArchitecture.RopeScaling scaling) {
        int half = headWidth / 2;
        float[] inverse = new float[half];
        for (int i = 0; i < half; i++) {
            inverse[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headWidth));
        }
        if (scaling == null) {
            return inverse;
        }
        double factor = scaling.factor();
        if ("linear".equals(scaling.type())) {
            for (int i = 0; i < half; i++) {
                inverse[i] = (float) (inverse[i] / factor);
            }
            return inverse;
        }
        // llama3: wavelengths shorter than original/high stay, longer than original/low are divided, blend between
        double original = scaling.originalMaxPositions();
        double low = scaling.lowFreqFactor();
        double high = scaling.highFreqFactor();
        double lowWavelength = original / low;
        double highWavelength = original / high;
        for (int i = 0; i < half; i++) {
            double wavelength = 2 * Math.PI / inverse[i];
            if (wavelength > lowWavelength) {
                inverse[i] = (float) (inverse[i] / factor);
            } else if (wavelength >= highWavelength) {
                double smooth = (original / wavelength - low) / (high - low);
                inverse[i] = (float) ((1 - smooth) * inverse[i] / factor + smooth * inverse[i]);
            }
        }
        return inverse;
    }

    /** {@code x (B,H,T,d)} at absolute positions past..past+T-1, rotated. */
    NDArray apply(NDArray x, long past) {
        long t = x.getShape().get(2);
        if (past + t > contextLength) {
            throw new IllegalArgumentException(
                    "position " + (past + t) + " beyond the rotary table's " + contextLength);
        }
        NDManager manager = x.getManager();
        int from = (int) past * headWidth;
        int to = (int) (past + t) * headWidth;
        Shape shape = new Shape(1, 1, t, headWidth);
        NDArray c = manager.create(java.util.Arrays.copyOfRange(cos, from, to), shape)
                .toDevice(x.getDevice(), false);
        NDArray s = manager.create(java.util.Arrays.copyOfRange(sin, from, to), shape)
                .toDevice(x.getDevice(), false);
        return x.mul(c).add(rotateHalf(x).mul(s));
    }

    /** {@code cat(-x2, x1)} over the last axis, x1 and x2 its halves. */
    private NDArray rotateHalf(NDArray x) {
        NDList halves = x.split(2, 3);
        return halves.get(1).neg().concat(halves.get(0), 3);
    }
}
