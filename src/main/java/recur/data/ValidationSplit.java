package recur.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Held-out data for validation, taken from the training data. A token text keeps its order: the last
 * {@code fraction} of its tokens is the validation text and is never trained on (the tail of the
 * text, which is the tail of its last stream). Labelled examples are shuffled with a seed first, so
 * the held-out tail has the same mix of labels as the rest.
 */
public final class ValidationSplit {
    private ValidationSplit() {}

    /** {train, validation} token arrays; both keep at least 2 tokens. */
    public static int[][] tail(int[] tokens, double fraction) {
        check(fraction);
        int val = (int) Math.round(tokens.length * fraction);
        if (val < 2 || tokens.length - val < 2) {
            throw new IllegalArgumentException("--val-fraction " + fraction + " of " + tokens.length
                    + " tokens leaves " + val + " for validation and " + (tokens.length - val)
                    + " for training; each needs at least 2 (use more data or another fraction)");
        }
        int cut = tokens.length - val;
        return new int[][] {Arrays.copyOf(tokens, cut), Arrays.copyOfRange(tokens, cut, tokens.length)};
    }

    /** {train, validation} after a seeded shuffle; both non-empty. */
    public static <T> List<List<T>> tail(List<T> items, double fraction, long seed) {
        check(fraction);
        int val = (int) Math.round(items.size() * fraction);
        if (val < 1 || items.size() - val < 1) {
            throw new IllegalArgumentException("--val-fraction " + fraction + " of " + items.size()
                    + " examples leaves " + val + " for validation and " + (items.size() - val)
                    + " for training; each needs at least 1");
        }
        List<T> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new Random(seed));
        int cut = shuffled.size() - val;
        return List.of(List.copyOf(shuffled.subList(0, cut)), List.copyOf(shuffled.subList(cut, shuffled.size())));
    }

    private static void check(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be between 0 and 1 (exclusive), got " + fraction);
        }
    }
}
