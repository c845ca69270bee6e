package recur.experiment;

import java.util.SplittableRandom;
import recur.model.CellType;
import recur.model.ModelSpec;
import recur.nn.Window;

/**
 * A generated sequence task that needs memory over a chosen distance. Every window holds B fresh,
 * independent sequences of the same length, so one tBPTT window is one whole sequence and the gradient
 * reaches its first step. Implementations fit the existing model tasks (no masked loss): see
 * {@link AddingTask} and {@link CopyTask}.
 *
 * <p>Call order: {@link #spec} once, then {@link #fill} per window; after a forward pass over a
 * filled window, {@link #errors} scores the network's outputs on the steps that matter.
 */
public interface MemoryTask {

    /** The task's name on the command line and in the results: "adding" or "copy". */
    String name();

    /** The memory distance the task was made for (the {@code --lengths} value). */
    int length();

    /** Steps T of each sequence (and of each window). */
    int steps();

    /** The model for {@code cell}: one layer of {@code hidden} units. */
    ModelSpec spec(CellType cell, int hidden);

    /** Fills every stream of {@code w} with a fresh sequence drawn from {@code rng}; sets {@code w.steps}. */
    void fill(Window w, SplittableRandom rng);

    /**
     * Sum of the errors and the number of scored items of a window whose forward pass left
     * {@code outputs} (see {@link recur.nn.Network#outputs()}): {@code {sum, count}}.
     */
    double[] errors(Window w, float[] outputs);

    /** What {@link #errors} measures, for tables: e.g. "MSE of the sum". */
    String errorName();

    /** The error of the best predictor that remembers nothing (the chance level to beat). */
    double chanceError();
}
