package recur.experiment;

import java.util.SplittableRandom;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.nn.Window;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997, experiment 4; in the form of Le, Jaitly and
 * Hinton 2015): each of T steps carries a pair (value in [0, 1), marker in {0, 1}); exactly two steps
 * are marked, one in the first half and one in the second; the answer is the sum of the two marked
 * values, read at the last step.
 *
 * <p>Formulation: the model's {@link Task#CLASSIFY} head (cross-entropy at the last step only, so no
 * step but the last is trained) over {@link #BINS} classes, the sum rounded to a multiple of 0.1. The
 * network's answer is the expectation of the bin centres under its softmax, and {@link #errors} is the
 * squared error of that answer against the exact (unrounded) sum: the mean squared error of the
 * original problem. Predicting 1 whatever the input scores the variance of the sum, 1/6 ({@link
 * #chanceError}); the rounding alone costs at most 0.0025 (a perfect classifier scores about 0.0008).
 * The per-step regression loss would train every step towards a target, which is not this problem.
 */
public final class AddingTask implements MemoryTask {
    /** Classes: sums 0.0, 0.1, ..., 2.0. */
    public static final int BINS = 21;
    private static final double BIN_WIDTH = 0.1;

    private final int length;

    /** Sequences of {@code length} steps ({@code length >= 2}). */
    public AddingTask(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("the adding problem needs at least 2 steps, got " + length);
        }
        this.length = length;
    }

    @Override
    public String name() {
        return "adding";
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int steps() {
        return length;
    }

    @Override
    public ModelSpec spec(CellType cell, int hidden) {
        return ModelSpec.real(cell, 1, hidden, 2, Task.CLASSIFY, BINS, false);
    }

    /** The class of a sum in [0, 2]. */
    public static int bin(double sum) {
        return (int) Math.min(BINS - 1, Math.max(0, Math.round(sum / BIN_WIDTH)));
    }

    /** The sum a class stands for. */
    public static double centre(int bin) {
        return bin * BIN_WIDTH;
    }

    @Override
    public void fill(Window w, SplittableRandom rng) {
        int b = w.batch;
        w.steps = length;
        int half = length / 2;
        for (int s = 0; s < b; s++) {
            int first = rng.nextInt(half);
            int second = half + rng.nextInt(length - half);
            double sum = 0;
            for (int t = 0; t < length; t++) {
                int row = (t * b + s) * 2;
                float value = (float) rng.nextDouble();
                boolean marked = t == first || t == second;
                w.inputs[row] = value;
                w.inputs[row + 1] = marked ? 1f : 0f;
                if (marked) {
                    sum += value; // as stored (float), so that exactSum agrees
                }
            }
            w.labels[s] = bin(sum);
        }
    }

    /** The exact sum of stream {@code s} of a filled window: its marked values. */
    static double exactSum(Window w, int s) {
        double sum = 0;
        for (int t = 0; t < w.steps; t++) {
            int row = (t * w.batch + s) * 2;
            if (w.inputs[row + 1] != 0f) {
                sum += w.inputs[row];
            }
        }
        return sum;
    }

    /** The network's answer for stream {@code s}: the expected bin centre under the softmax of its logits. */
    static double answer(float[] outputs, int s) {
        int off = s * BINS;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < BINS; k++) {
            max = Math.max(max, outputs[off + k]);
        }
        double z = 0;
        double e = 0;
        for (int k = 0; k < BINS; k++) {
            double p = Math.exp(outputs[off + k] - max);
            z += p;
            e += p * centre(k);
        }
        return e / z;
    }

    @Override
    public double[] errors(Window w, float[] outputs) {
        double sum = 0;
        for (int s = 0; s < w.batch; s++) {
            double d = answer(outputs, s) - exactSum(w, s);
            sum += d * d;
        }
        return new double[] {sum, w.batch};
    }

    @Override
    public String errorName() {
        return "MSE of the sum";
    }

    @Override
    public double chanceError() {
        return 1.0 / 6.0; // Var(U1 + U2) = 2/12
    }
}
