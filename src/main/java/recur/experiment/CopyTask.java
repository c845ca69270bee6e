package recur.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Window;

/**
 * The copy task (Hochreiter and Schmidhuber 1997; in the form of Arjovsky, Shah and Bengio 2016):
 * read {@link #SYMBOLS} random symbols, wait through {@code delay} blank steps, see the go marker, then
 * write the symbols back in order while the input is blank.
 *
 * <pre>
 * input   B D A C B _ _ _ ... _ : _ _ _ _ _
 * target  _ _ _ _ _ _ _ _ ... _ _ B D A C B
 *         |symbols| |-- delay --| | recall  |
 * </pre>
 *
 * <p>Formulation: a token model with the {@link Task#LM} head, whose targets need not be the next
 * input: every step has a target, blank everywhere but the recall steps. The loss therefore averages
 * over all T steps, most of them trivially blank (the recall steps' share is 3/T); with Adam the scale
 * of the gradient matters little. {@link #errors} scores only what matters: the fraction of recalled
 * symbols for which the most likely of the {@link #ALPHABET} symbols under the network's output is wrong. A network that remembers nothing guesses: error
 * {@code 1 - 1/ALPHABET} ({@link #chanceError}).
 */
public final class CopyTask implements MemoryTask {
    /** Symbols to remember. */
    public static final int SYMBOLS = 3;
    /** Distinct symbols: A, B, C, D. */
    public static final int ALPHABET = 4;
    /** Token ids: the symbols 0..ALPHABET-1, then blank, then go. */
    public static final int BLANK = ALPHABET;
    public static final int GO = ALPHABET + 1;
    private static final int EMBEDDING = 8;

    private final int delay;

    /** Sequences with {@code delay} blank steps between the last symbol and the go marker ({@code >= 0}). */
    public CopyTask(int delay) {
        if (delay < 0) {
            throw new IllegalArgumentException("the copy task's delay must be >= 0, got " + delay);
        }
        this.delay = delay;
    }

    @Override
    public String name() {
        return "copy";
    }

    @Override
    public int length() {
        return delay;
    }

    /** Symbols, delay, go, recall: {@code 2 * SYMBOLS + delay + 1}. */
    @Override
    public int steps() {
        return 2 * SYMBOLS + delay + 1;
    }

    /** The first recall step. */
    public int recallStart() {
        return SYMBOLS + delay + 1;
    }

    /** The vocabulary as written in the model file. */
    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < ALPHABET; i++) {
            v.add(String.valueOf((char) ('A' + i)));
        }
        v.add("_");
        v.add(":");
        return v;
    }

    @Override
    public ModelSpec spec(CellType cell, int hidden) {
        List<String> vocab = vocabulary();
        return ModelSpec.tokens(cell, 1, hidden, EMBEDDING, vocab, Task.LM, vocab.size(), false);
    }

    @Override
    public void fill(Window w, SplittableRandom rng) {
        int b = w.batch;
        int steps = steps();
        int recall = recallStart();
        w.steps = steps;
        for (int s = 0; s < b; s++) {
            for (int t = 0; t < steps; t++) {
                int row = t * b + s;
                w.tokens[row] = t < SYMBOLS ? rng.nextInt(ALPHABET) : t == recall - 1 ? GO : BLANK;
                w.targets[row] = t >= recall ? w.tokens[(t - recall) * b + s] : BLANK;
            }
        }
    }

    @Override
    public double[] errors(Window w, float[] outputs) {
        int b = w.batch;
        int o = ALPHABET + 2;
        int wrong = 0;
        for (int t = recallStart(); t < w.steps; t++) {
            for (int s = 0; s < b; s++) {
                int row = t * b + s;
                int best = 0; // the most likely symbol (blank and go are never right here)
                for (int k = 1; k < ALPHABET; k++) {
                    if (outputs[row * o + k] > outputs[row * o + best]) {
                        best = k;
                    }
                }
                if (best != w.targets[row]) {
                    wrong++;
                }
            }
        }
        return new double[] {wrong, (double) SYMBOLS * b};
    }

    @Override
    public String errorName() {
        return "recall symbol error";
    }

    @Override
    public double chanceError() {
        return 1.0 - 1.0 / ALPHABET;
    }
}
