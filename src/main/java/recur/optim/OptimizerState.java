package recur.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * The complete mutable state of an {@link Optimizer}, for checkpoints: the optimizer's name, the
 * number of steps taken and its per-parameter buffers (each the size of the flat parameter buffer, in
 * the same layout). Hyperparameters are not part of it; they come from the configuration.
 *
 * <p>The record holds references; {@link Optimizer#state()} returns copies and
 * {@link Optimizer#restore} copies in, so a state object never aliases a live optimizer.
 */
public record OptimizerState(String name, long step, List<float[]> buffers) {

    public OptimizerState {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("optimizer state needs a name");
        }
        if (step < 0) {
            throw new IllegalArgumentException("optimizer step must be >= 0, got " + step);
        }
        buffers = List.copyOf(buffers);
    }

    /** A deep copy (the float arrays are cloned). */
    public OptimizerState copy() {
        List<float[]> out = new ArrayList<>(buffers.size());
        for (float[] b : buffers) {
            out.add(b.clone());
        }
        return new OptimizerState(name, step, out);
    }
}
