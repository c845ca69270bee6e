package recur.data;

import java.util.SplittableRandom;

/**
 * English-like text the project generates itself, so the default training job needs no download:
 * sentences from a small grammar (noun phrases with optional adjectives and prepositional phrases,
 * verbs that agree with their subject in number, conjunctions, a few questions), grouped into
 * paragraphs. The same seed and length always give the same text. The alphabet is small (lower and
 * upper case letters, space, {@code , . ?} and newline), so a small character model learns spelling
 * and word order from a few hundred kilobytes.
 */
public final class SyntheticText {

    /** The seed of the default training text. */
    public static final long DEFAULT_SEED = 20_250_101L;
    /** Length of the default training text in characters. */
    public static final int DEFAULT_CHARS = 300_000;

    private static final String[] DETERMINERS = {"the", "a", "every", "one", "this", "that"};
    private static final String[] PLURAL_DETERMINERS = {"the", "some", "many", "these", "two", "all the"};
    private static final String[] ADJECTIVES = {"small", "old", "quiet", "bright", "green", "tired", "happy",
        "little", "heavy", "warm", "young", "clever", "red", "long", "gentle", "strange"};
    private static final String[][] NOUNS = { // singular, plural
        {"cat", "cats"}, {"dog", "dogs"}, {"bird", "birds"}, {"child", "children"}, {"teacher", "teachers"},
        {"farmer", "farmers"}, {"river", "rivers"}, {"garden", "gardens"}, {"house", "houses"},
        {"tree", "trees"}, {"city", "cities"}, {"boat", "boats"}, {"friend", "friends"}, {"doctor", "doctors"},
        {"story", "stories"}, {"window", "windows"}, {"road", "roads"}, {"mountain", "mountains"}};
    private static final String[] NAMES = {"Anna", "Tom", "Maria", "Sam", "Lena", "Oscar", "Ruth", "Ben"};
    private static final String[][] TRANSITIVE = { // 3rd person singular, plural/base, past
        {"sees", "see", "saw"}, {"likes", "like", "liked"}, {"finds", "find", "found"},
        {"watches", "watch", "watched"}, {"follows", "follow", "followed"}, {"helps", "help", "helped"},
        {"remembers", "remember", "remembered"}, {"carries", "carry", "carried"}, {"paints", "paint", "painted"}};
    private static final String[][] INTRANSITIVE = {
        {"sleeps", "sleep", "slept"}, {"runs", "run", "ran"}, {"sings", "sing", "sang"},
        {"waits", "wait", "waited"}, {"laughs", "laugh", "laughed"}, {"walks", "walk", "walked"},
        {"rests", "rest", "rested"}};
    private static final String[] ADVERBS = {"slowly", "quickly", "today", "again", "at night", "in the morning",
        "quietly", "happily", "every day"};
    private static final String[] PREPOSITIONS = {"near", "behind", "under", "beside", "across", "in", "on"};
    private static final String[] CONJUNCTIONS = {"and", "but", "because", "while", "so"};

    private final SplittableRandom rng;
    private final StringBuilder out;

    private SyntheticText(long seed, int capacity) {
        this.rng = new SplittableRandom(seed);
        this.out = new StringBuilder(capacity + 200);
    }

    /** The default training text: {@link #DEFAULT_CHARS} characters from {@link #DEFAULT_SEED}. */
    public static String standard() {
        return generate(DEFAULT_SEED, DEFAULT_CHARS);
    }

    /** Exactly {@code chars} characters of generated text (ending with a newline when long enough). */
    public static String generate(long seed, int chars) {
        if (chars < 1) {
            throw new IllegalArgumentException("generated text length must be at least 1, got " + chars);
        }
        SyntheticText g = new SyntheticText(seed, chars);
        while (g.out.length() < chars) {
            g.paragraph();
        }
        g.out.setLength(chars - 1);
        g.out.append('\n');
        return g.out.toString();
    }

    private void paragraph() {
        int sentences = 2 + rng.nextInt(5);
        for (int i = 0; i < sentences; i++) {
            if (i > 0) {
                out.append(' ');
            }
            sentence();
        }
        out.append('\n');
    }

    private void sentence() {
        int start = out.length();
        if (rng.nextInt(8) == 0) {
            question();
        } else {
            clause();
            if (rng.nextInt(3) == 0) {
                out.append(rng.nextInt(2) == 0 ? ", " : " ").append(pick(CONJUNCTIONS)).append(' ');
                clause();
            }
            out.append('.');
        }
        out.setCharAt(start, Character.toUpperCase(out.charAt(start)));
    }

    private void question() {
        boolean plural = rng.nextBoolean();
        out.append(plural ? "do " : "does ");
        nounPhrase(plural);
        out.append(' ').append(pick(TRANSITIVE)[1]).append(' ');
        nounPhrase(rng.nextBoolean());
        out.append('?');
    }

    private void clause() {
        boolean plural = rng.nextInt(3) == 0;
        if (!plural && rng.nextInt(5) == 0) {
            out.append(pick(NAMES));
        } else {
            nounPhrase(plural);
        }
        out.append(' ');
        boolean past = rng.nextInt(4) == 0;
        int form = past ? 2 : plural ? 1 : 0;
        if (rng.nextInt(3) == 0) {
            out.append(pick(INTRANSITIVE)[form]);
        } else {
            out.append(pick(TRANSITIVE)[form]).append(' ');
            nounPhrase(rng.nextInt(3) == 0);
        }
        if (rng.nextInt(3) == 0) {
            out.append(' ').append(pick(ADVERBS));
        }
    }

    private void nounPhrase(boolean plural) {
        String determiner = pick(plural ? PLURAL_DETERMINERS : DETERMINERS);
        String adjective = rng.nextInt(2) == 0 ? pick(ADJECTIVES) : null;
        String noun = pick(NOUNS)[plural ? 1 : 0];
        String next = adjective != null ? adjective : noun;
        if (determiner.equals("a") && "aeiou".indexOf(next.charAt(0)) >= 0) {
            determiner = "an";
        }
        out.append(determiner).append(' ');
        if (adjective != null) {
            out.append(adjective).append(' ');
        }
        out.append(noun);
        if (rng.nextInt(5) == 0) {
            out.append(' ').append(pick(PREPOSITIONS)).append(' ').append(rng.nextBoolean() ? "the " : "a ")
                    .append(pick(NOUNS)[0]);
        }
    }

    private <T> T pick(T[] options) {
        return options[rng.nextInt(options.length)];
    }
}
