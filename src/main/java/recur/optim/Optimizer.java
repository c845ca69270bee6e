package recur.optim;

/**
 * A first-order optimizer over one flat parameter buffer, with the exact update rules of the
 * PyTorch 1.13 {@code torch.optim} class of the same name, computed in float32.
 *
 * <p><b>Call order.</b>
 * <ol>
 *   <li>Construct with the parameter count (the size of the flat buffer) and hyperparameters, directly
 *       or through {@link Optimizers#create}. Buffers start at zero (or the initial accumulator).
 *   <li>Optionally {@link #restore} a checkpointed {@link OptimizerState} (before the first step,
 *       or at any point between steps to roll back).
 *   <li>Per training step: compute the gradient, check/clip it ({@link GradientClipping}), then call
 *       {@link #step(float[], float[], double)} once with the learning rate of this step (e.g. from a
 *       {@link LearningRateSchedule}). A gradient with a NaN/Inf must be skipped by the caller: do not
 *       call {@code step} with it (it would poison the state buffers).
 *   <li>To checkpoint: {@link #state()} (a copy) together with the parameters; {@link #steps()} is the
 *       number of completed steps.
 * </ol>
 *
 * <p>{@code step} reads {@code grad[0, size())} and updates {@code params[0, size())} in place; it
 * does not modify {@code grad} and does not allocate. Implementations are not thread-safe.
 */
public interface Optimizer {

    /** The registry name: "sgd", "momentum", "adam", "adagrad" or "rmsprop". */
    String name();

    /** Number of parameters (length of the flat buffer this optimizer updates). */
    int size();

    /** Applies one update with learning rate {@code lr}; increments {@link #steps()}. */
    void step(float[] params, float[] grad, double lr);

    /** Number of completed {@link #step} calls (PyTorch's {@code state['step']}). */
    long steps();

    /** A deep copy of the full state (step count and buffers) for checkpoints. */
    OptimizerState state();

    /**
     * Replaces the state with a copy of {@code s}. Throws IllegalArgumentException when it belongs to
     * another optimizer kind, has the wrong number of buffers or buffers of the wrong size.
     */
    void restore(OptimizerState s);

    /** Human readable one-line description with the hyperparameters. */
    String describe();
}
