package recur.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import recur.math.Kernels;
import recur.math.ScalarKernels;
import recur.math.VectorKernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;

/**
 * Central-difference gradient checks on tiny models: every parameter of every cell type, every task,
 * learned initial states, two stacked layers, and a second tBPTT window that starts from a carried
 * state. Computation is float32, so the difference step is 1e-2 and the tolerance
 * |numeric - analytic| <= 3e-3 + 3e-2 * |analytic| (float32 round-off over a 1e-2 step is ~1e-5 / 1e-2).
 */
class GradientCheckTest {
    static final int B = 2;
    static final int T = 4;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kernels k : new Kernels[] {new ScalarKernels(), new VectorKernels()}) {
            for (CellType cell : CellType.values()) {
                for (Task task : Task.values()) {
                    out.add(Arguments.of(k, cell, task, false));
                }
                out.add(Arguments.of(k, cell, Task.LM, true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} learnedH0={3}")
    @MethodSource("cases")
    void analyticGradientMatchesCentralDifference(Kernels k, CellType cell, Task task, boolean learnedH0) {
        check(k, cell, task, learnedH0, B, T);
    }

    static Stream<Arguments> cells() {
        List<Arguments> out = new ArrayList<>();
        for (Kernels k : new Kernels[] {new ScalarKernels(), new VectorKernels()}) {
            for (CellType cell : CellType.values()) {
                out.add(Arguments.of(k, cell));
            }
        }
        return out.stream();
    }

    /**
     * 40 streams x 15 steps = 600 rows: the weight-gradient products (k = rows) run over three k slabs of
     * the vector kernels, the last one short.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cells")
    void gradientOverAWindowOfSeveralKSlabsMatchesCentralDifference(Kernels k, CellType cell) {
        check(k, cell, Task.LM, false, 40, 15);
    }

    private void check(Kernels k, CellType cell, Task task, boolean learnedH0, int batch, int steps) {
        ModelSpec spec = switch (task) {
            case LM -> ModelSpec.tokens(cell, 2, 3, 3, List.of("a", "b", "c", "d", "e"), Task.LM, 5, learnedH0);
            case CLASSIFY -> ModelSpec.tokens(cell, 2, 3, 3, List.of("a", "b", "c", "d", "e"), Task.CLASSIFY, 3,
                    learnedH0);
            case REGRESSION -> ModelSpec.real(cell, 2, 3, 2, Task.REGRESSION, 2, learnedH0);
        };
        SplittableRandom rng = new SplittableRandom(cell.ordinal() * 31L + task.ordinal());
        float[] params = Initializer.initialize(spec, 7 + cell.ordinal(), false);
        if (learnedH0) { // non-zero initial states so their gradient is exercised
            var layout = new recur.model.ParamLayout(spec);
            for (int i = layout.h0; i < layout.size(); i++) {
                params[i] = (float) rng.nextDouble(-0.5, 0.5);
            }
        }
        Network net = new Network(spec, batch, steps, k);
        Window w1 = randomWindow(net, spec, rng);
        Window w2 = randomWindow(net, spec, rng);
        RecurrentState state = net.newState();
        // Window 1 from the initial state; window 2 from the carried (detached) state.
        checkWindow(net, params, w1, state);
        net.loss(params, w1, state);
        state.atStart[1] = true; // stream 1 starts over in window 2: h0 gets gradient from it alone
        checkWindow(net, params, w2, state);
    }

    private void checkWindow(Network net, float[] params, Window w, RecurrentState state) {
        int n = net.layout().size();
        float[] grad = new float[n];
        RecurrentState s = net.newState();
        s.copyFrom(state);
        net.forwardBackward(params, grad, w, s);
        float eps = 1e-2f;
        for (int i = 0; i < n; i++) {
            float saved = params[i];
            params[i] = saved + eps;
            s.copyFrom(state);
            double plus = net.loss(params, w, s);
            params[i] = saved - eps;
            s.copyFrom(state);
            double minus = net.loss(params, w, s);
            params[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            double tol = 3e-3 + 3e-2 * Math.abs(grad[i]);
            assertTrue(Math.abs(numeric - grad[i]) <= tol,
                    "param " + name(net, i) + ": analytic " + grad[i] + " numeric " + numeric);
        }
    }

    private static String name(Network net, int index) {
        for (var v : net.layout().views()) {
            if (index >= v.offset() && index < v.offset() + v.size()) {
                return v.name() + "[" + (index - v.offset()) + "]";
            }
        }
        return "#" + index;
    }

    private static Window randomWindow(Network net, ModelSpec spec, SplittableRandom rng) {
        Window w = net.newWindow();
        for (int i = 0; i < w.tokens.length; i++) {
            w.tokens[i] = rng.nextInt(spec.tokenInput() ? spec.vocabSize() : 1);
        }
        for (int i = 0; i < w.targets.length; i++) {
            w.targets[i] = rng.nextInt(spec.output());
        }
        for (int i = 0; i < w.inputs.length; i++) {
            w.inputs[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < w.targetValues.length; i++) {
            w.targetValues[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int b = 0; b < w.labels.length; b++) {
            w.labels[b] = rng.nextInt(spec.output());
        }
        return w;
    }
}
