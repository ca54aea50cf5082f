package io.ballast.generator.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ballast.schemas.domain.Attribute;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokenizer built from the corpus and saved with the model. Ids 0-4 are the special
 * tokens, then one steering token per attribute value, then words by falling frequency.
 */
public final class WordTokenizer implements Tokenizer {

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String BOS = "<bos>";
    public static final String SEP = "<sep>";
    public static final String EOS = "<eos>";

    private static final Pattern TOKEN =
            Pattern.compile("<[a-z]+:[a-z]+>|<[a-z]+>|[A-Za-z]+(?:'[a-z]+)?|[0-9]+|[^\\sA-Za-z0-9]");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();

    private WordTokenizer(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < tokens.size(); i++) {
            ids.put(tokens.get(i), i);
        }
    }

    /** Special and steering tokens, in id order. */
    public static List<String> reservedTokens() {
        List<String> r = new ArrayList<>(List.of(PAD, UNK, BOS, SEP, EOS));
        for (Attribute a : Attribute.values()) {
            r.addAll(a.steeringTokens());
        }
        return r;
    }

    /** Builds the vocabulary from texts: words seen at least minCount times, most frequent first. */
    public static WordTokenizer build(Iterable<String> texts, int maxVocabulary, int minCount) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> reserved = reservedTokens();
        for (String text : texts) {
            for (String piece : split(text)) {
                if (!reserved.contains(piece)) {
                    counts.merge(piece, 1, Integer::sum);
                }
            }
        }
        List<Map.Entry<String, Integer>> words = new ArrayList<>(counts.entrySet());
        // by count, then alphabetically, so the same corpus always gives the same ids
        words.sort(Map.Entry.<String, Integer>comparingByValue(Collections.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> vocab = new ArrayList<>(reserved);
        for (Map.Entry<String, Integer> w : words) {
            if (vocab.size() >= maxVocabulary || w.getValue() < minCount) {
                break;
            }
            vocab.add(w.getKey());
        }
        return new WordTokenizer(vocab);
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Override
    public int[] encode(String text) {
        List<String> pieces = split(text);
        int[] out = new int[pieces.size()];
        int unk = ids.get(UNK);
        for (int i = 0; i < out.length; i++) {
            out[i] = ids.getOrDefault(pieces.get(i), unk);
        }
        return out;
    }

    @Override
    public String token(int id) {
        return tokens.get(id);
    }

    @Override
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("'" + token + "' is not in the vocabulary");
        }
        return id;
    }

    @Override
    public int size() {
        return tokens.size();
    }

    /** Words joined with spaces, except before closing punctuation. */
    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String t = tokens.get(id);
            boolean glue = t.length() == 1 && ".,;:!?)'".contains(t);
            if (sb.length() > 0 && !glue && sb.charAt(sb.length() - 1) != '(') {
                sb.append(' ');
            }
            sb.append(t);
        }
        return sb.toString();
    }

    @Override
    public void save(Path file) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), Map.of("type", "word", "tokens", tokens));
    }

    public static WordTokenizer load(Path file) throws IOException {
        List<String> tokens = new ArrayList<>();
        JSON.readTree(file.toFile()).path("tokens").forEach(n -> tokens.add(n.asText()));
        if (!tokens.subList(0, reservedTokens().size()).equals(reservedTokens())) {
            throw new IOException(file + " does not start with Ballast's special and steering tokens");
        }
        return new WordTokenizer(tokens);
    }
}
