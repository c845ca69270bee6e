package recur.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Character-level vocabulary: one token per Unicode code point, in code-point order when built from text. */
public final class CharVocabulary {
    private final List<String> tokens;
    private final Map<Integer, Integer> ids = new HashMap<>();

    public CharVocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < this.tokens.size(); i++) {
            String t = this.tokens.get(i);
            if (t.codePointCount(0, t.length()) != 1) {
                throw new IllegalArgumentException("vocabulary entry " + i + " is not a single character: " + quote(t));
            }
            if (ids.put(t.codePointAt(0), i) != null) {
                throw new IllegalArgumentException("vocabulary lists " + quote(t) + " twice");
            }
        }
    }

    /** The distinct characters of a text, sorted. */
    public static CharVocabulary of(CharSequence text) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        List<String> list = new ArrayList<>(set.size());
        for (int cp : set) {
            list.add(new String(Character.toChars(cp)));
        }
        return new CharVocabulary(list);
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

    /** Id of a code point, or -1. */
    public int id(int codePoint) {
        Integer id = ids.get(codePoint);
        return id == null ? -1 : id;
    }

    /** Encodes text; a character outside the vocabulary is an error naming it and its position. */
    public int[] encode(CharSequence text) {
        int[] out = new int[Character.codePointCount(text, 0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            int id = id(cp);
            if (id < 0) {
                throw new IllegalArgumentException("character " + quote(new String(Character.toChars(cp)))
                        + " (U+" + String.format("%04X", cp) + ") at position " + n
                        + " is not in the model's vocabulary");
            }
            out[n++] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    public String decode(int id) {
        return tokens.get(id);
    }

    static String quote(String s) {
        return switch (s) {
            case "\n" -> "'\\n'";
            case "\t" -> "'\\t'";
            case "\r" -> "'\\r'";
            default -> "'" + s + "'";
        };
    }
}
