package recur.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splits text into words and punctuation. A word is a run of letters, digits and combining marks
 * (any script); an apostrophe ({@code '} or {@code ’}) or hyphen between two word characters stays
 * inside the word ({@code don't}, {@code o'er}, {@code well-known}). Every other character that is not
 * whitespace is a token of its own ({@code , . ; : ! ? " ( )} and a lone {@code -} or {@code '}).
 * Whitespace, newlines included, only separates. With {@code lowercase} words are lower-cased
 * ({@link Locale#ROOT}), so "Smoking" at the start of a sentence and "smoking" inside one are one word.
 *
 * <p>{@link #feed} takes code points one at a time (a memory-mapped file streams through it without
 * a copy); call {@link #finish} after the last one. {@link #tokenize} does both for a string.
 */
public final class WordTokenizer {
    private final boolean lowercase;
    private final Consumer<String> sink;
    private final StringBuilder word = new StringBuilder();
    private int pendingJoiner = -1; // an apostrophe or hyphen after a word, waiting for the next character

    public WordTokenizer(boolean lowercase, Consumer<String> sink) {
        this.lowercase = lowercase;
        this.sink = sink;
    }

    /** The tokens of a text. */
    public static List<String> tokenize(CharSequence text, boolean lowercase) {
        List<String> out = new ArrayList<>();
        WordTokenizer t = new WordTokenizer(lowercase, out::add);
        text.codePoints().forEach(t::feed);
        t.finish();
        return out;
    }

    /** Reads one code point. */
    public void feed(int cp) {
        if (isWordChar(cp)) {
            if (pendingJoiner >= 0) {
                word.appendCodePoint(pendingJoiner);
                pendingJoiner = -1;
            }
            word.appendCodePoint(cp);
        } else if (isJoiner(cp) && word.length() > 0 && pendingJoiner < 0) {
            pendingJoiner = cp;
        } else {
            flushWord();
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                sink.accept(new String(Character.toChars(cp)));
            }
        }
    }

    /** Emits the last word; the tokenizer can be reused afterwards. */
    public void finish() {
        flushWord();
    }

    private void flushWord() {
        if (word.length() > 0) {
            String w = word.toString();
            sink.accept(lowercase ? w.toLowerCase(Locale.ROOT) : w);
            word.setLength(0);
        }
        if (pendingJoiner >= 0) {
            sink.accept(new String(Character.toChars(pendingJoiner)));
            pendingJoiner = -1;
        }
    }

    static boolean isWordChar(int cp) {
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static boolean isJoiner(int cp) {
        return cp == '\'' || cp == '\u2019' || cp == '-';
    }

    /** True for a token made of word characters (not punctuation). */
    public static boolean isWord(String token) {
        return !token.isEmpty() && isWordChar(token.codePointAt(0));
    }

    /**
     * Tokens back to text: one space between tokens, none before closing punctuation
     * ({@code . , ; : ! ? ) ] }} and apostrophes) and none after opening brackets.
     */
    public static String detokenize(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        String previous = null;
        for (String t : tokens) {
            if (previous != null && !noSpaceBefore(t) && !noSpaceAfter(previous)) {
                sb.append(' ');
            }
            sb.append(t);
            previous = t;
        }
        return sb.toString();
    }

    /** Closing punctuation, written without a space before it. */
    public static boolean noSpaceBefore(String t) {
        return t.length() == 1 && ".,;:!?)]}'\u2019".indexOf(t.charAt(0)) >= 0;
    }

    private static boolean noSpaceAfter(String t) {
        return t.length() == 1 && "([{".indexOf(t.charAt(0)) >= 0;
    }
}
