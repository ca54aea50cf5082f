package io.ballast.schemas.attributes;

import java.util.Map;

/**
 * A fixed map from words to ints, looked up by a region of a string, so that the words of a text
 * need not be cut out of it as strings first. Open addressing over a power-of-two table.
 */
final class WordTable {

    private final String[] keys;
    private final int[] values;
    private final int mask;
    private final int absent;

    /** @param absent the value of a word not in the table */
    WordTable(Map<String, Integer> words, int absent) {
        int size = Integer.highestOneBit(Math.max(4, words.size() * 4) - 1) << 1;
        this.keys = new String[size];
        this.values = new int[size];
        this.mask = size - 1;
        this.absent = absent;
        words.forEach((w, v) -> {
            int slot = hash(w, 0, w.length()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = w;
            values[slot] = v;
        });
    }

    /** The value of the word {@code text[from, to)}. */
    int get(String text, int from, int to) {
        int slot = hash(text, from, to) & mask;
        int length = to - from;
        for (String k = keys[slot]; k != null; k = keys[slot = (slot + 1) & mask]) {
            if (k.length() == length && text.regionMatches(from, k, 0, length)) {
                return values[slot];
            }
        }
        return absent;
    }

    private static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }
}
