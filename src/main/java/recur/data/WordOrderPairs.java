package recur.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Data for the word-order job: the sentences of a tokenised text (split after {@code . ! ?}, the
 * terminator dropped so it cannot give the order away), each once as it is ({@link #NATURAL}) and once
 * with its words reordered ({@link #SHUFFLED}): half the negatives swap two different words, half
 * shuffle all the words. Punctuation tokens keep their places, so only word order differs. A negative
 * is never identical to its sentence (sentences whose words are all the same are skipped).
 */
public final class WordOrderPairs {
    public static final String NATURAL = "natural";
    public static final String SHUFFLED = "shuffled";
    /** Class ids are the sorted labels: natural 0, shuffled 1. */
    public static final List<String> LABELS = List.of(NATURAL, SHUFFLED);

    private WordOrderPairs() {}

    /** A sentence (tokens) and whether its order is natural. */
    public record Pair(List<String> tokens, boolean natural) {
    }

    /** Sentences with at least {@code minWords} words and at most {@code maxTokens} tokens. */
    public static List<List<String>> sentences(List<String> tokens, int minWords, int maxTokens) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String t : tokens) {
            if (t.equals(".") || t.equals("!") || t.equals("?")) {
                keep(out, current, minWords, maxTokens);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
        }
        keep(out, current, minWords, maxTokens);
        return out;
    }

    private static void keep(List<List<String>> out, List<String> s, int minWords, int maxTokens) {
        long words = s.stream().filter(WordTokenizer::isWord).count();
        long distinct = s.stream().filter(WordTokenizer::isWord).distinct().count();
        if (words >= minWords && s.size() <= maxTokens && distinct >= 2) {
            out.add(List.copyOf(s));
        }
    }

    /** Each sentence natural, then reordered; in that order, sentence by sentence. */
    public static List<Pair> pairs(List<List<String>> sentences, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Pair> out = new ArrayList<>(2 * sentences.size());
        for (List<String> s : sentences) {
            out.add(new Pair(s, true));
            out.add(new Pair(reorder(s, rng.nextBoolean(), rng), false));
        }
        return out;
    }

    /** The sentence with two different words swapped ({@code swap}) or all words shuffled; never unchanged. */
    public static List<String> reorder(List<String> s, boolean swap, SplittableRandom rng) {
        int[] wordAt = s.stream().filter(WordTokenizer::isWord).mapToInt(t -> 0).toArray();
        int n = 0;
        for (int i = 0; i < s.size(); i++) {
            if (WordTokenizer.isWord(s.get(i))) {
                wordAt[n++] = i;
            }
        }
        String[] out = s.toArray(new String[0]);
        if (swap) {
            while (true) {
                int a = wordAt[rng.nextInt(n)];
                int b = wordAt[rng.nextInt(n)];
                if (!out[a].equals(out[b])) {
                    out[a] = s.get(b);
                    out[b] = s.get(a);
                    return List.of(out);
                }
            }
        }
        while (true) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                String t = out[wordAt[i]];
                out[wordAt[i]] = out[wordAt[j]];
                out[wordAt[j]] = t;
            }
            if (!Arrays.asList(out).equals(s)) {
                return List.of(out);
            }
        }
    }

    /** The tokens a sentence is scored on: tokenised like the training text, a final {@code . ! ?} dropped. */
    public static List<String> prepare(String sentence, boolean lowercase) {
        List<String> t = new ArrayList<>(WordTokenizer.tokenize(sentence, lowercase));
        while (!t.isEmpty() && (t.getLast().equals(".") || t.getLast().equals("!") || t.getLast().equals("?"))) {
            t.removeLast();
        }
        return t;
    }
}
