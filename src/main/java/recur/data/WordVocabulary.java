package recur.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word-level vocabulary: {@code <unk>} at id 0, then the words of the data by falling count (ties in
 * string order, so the same data always gives the same ids). {@link #build} keeps at most
 * {@code maxSize} entries ({@code <unk>} included) and only words seen at least {@code minCount} times;
 * every other word is encoded as {@code <unk>}.
 */
public final class WordVocabulary {
    public static final String UNK = "<unk>";

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();

    /** A vocabulary in id order (e.g. from a model file); the first entry must be {@code <unk>}. */
    public WordVocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        if (this.tokens.isEmpty() || !this.tokens.getFirst().equals(UNK)) {
            throw new IllegalArgumentException("a word vocabulary starts with " + UNK);
        }
        for (int i = 0; i < this.tokens.size(); i++) {
            if (ids.put(this.tokens.get(i), i) != null) {
                throw new IllegalArgumentException("vocabulary lists '" + this.tokens.get(i) + "' twice");
            }
        }
    }

    /**
     * The vocabulary of counted tokens.
     *
     * @param maxSize  largest vocabulary, {@code <unk>} included (0: no cap)
     * @param minCount fewest occurrences a word needs to get its own id (1: all)
     */
    public static WordVocabulary build(Map<String, Long> counts, int maxSize, int minCount) {
        if (maxSize != 0 && maxSize < 2) {
            throw new IllegalArgumentException("--vocab-size must be at least 2 (<unk> and one word), got " + maxSize);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("--min-count must be at least 1, got " + minCount);
        }
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getValue() >= minCount && !e.getKey().equals(UNK)) {
                entries.add(e);
            }
        }
        entries.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        int keep = maxSize == 0 ? entries.size() : Math.min(entries.size(), maxSize - 1);
        List<String> tokens = new ArrayList<>(keep + 1);
        tokens.add(UNK);
        for (int i = 0; i < keep; i++) {
            tokens.add(entries.get(i).getKey());
        }
        return new WordVocabulary(tokens);
    }

    /** Counts of each token of a list. */
    public static Map<String, Long> count(List<String> tokens) {
        Map<String, Long> counts = new HashMap<>();
        for (String t : tokens) {
            counts.merge(t, 1L, Long::sum);
        }
        return counts;
    }

    public List<String> tokens() {
        return tokens;
    }

    public int size() {
        return tokens.size();
    }

    public String token(int id) {
        return tokens.get(id);
    }

    /** Id of a token; 0 ({@code <unk>}) when the vocabulary does not have it. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? 0 : id;
    }

    /** Id of a token, or -1 when the vocabulary does not have it. */
    public int find(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public int[] encode(List<String> words) {
        int[] out = new int[words.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(words.get(i));
        }
        return out;
    }

    /** How many ids of {@code ids} are {@code <unk>}. */
    public static long unknown(int[] ids) {
        long n = 0;
        for (int id : ids) {
            if (id == 0) {
                n++;
            }
        }
        return n;
    }
}
