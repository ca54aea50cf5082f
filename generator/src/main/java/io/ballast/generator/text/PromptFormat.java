package io.ballast.generator.text;

import io.ballast.schemas.domain.Attribute;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a training sequence is laid out: {@code <bos> prompt <sep> <steering tokens> text <eos>}.
 * One steering token per {@link Attribute}, in the enum's order.
 */
public final class PromptFormat {

    private final Tokenizer tokenizer;
    private final int bos;
    private final int sep;
    private final int eos;

    public PromptFormat(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.bos = tokenizer.id(WordTokenizer.BOS);
        this.sep = tokenizer.id(WordTokenizer.SEP);
        this.eos = tokenizer.id(WordTokenizer.EOS);
    }

    /** The ids a response is generated after: {@code <bos> prompt <sep>}. */
    public int[] promptIds(String prompt) {
        int[] p = tokenizer.encode(prompt);
        int[] out = new int[p.length + 2];
        out[0] = bos;
        System.arraycopy(p, 0, out, 1, p.length);
        out[out.length - 1] = sep;
        return out;
    }

    /** The ids of a response: steering tokens, text, {@code <eos>}. */
    public int[] responseIds(List<String> steeringTokens, String text) {
        List<Integer> ids = new ArrayList<>();
        for (String s : steeringTokens) {
            ids.add(tokenizer.id(s));
        }
        for (int id : tokenizer.encode(text)) {
            ids.add(id);
        }
        ids.add(eos);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    public int[] sequence(String prompt, List<String> steeringTokens, String text) {
        int[] p = promptIds(prompt);
        int[] r = responseIds(steeringTokens, text);
        int[] out = Arrays.copyOf(p, p.length + r.length);
        System.arraycopy(r, 0, out, p.length, r.length);
        return out;
    }

    public int eos() {
        return eos;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }
}
