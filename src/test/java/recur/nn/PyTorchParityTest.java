package recur.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import recur.math.Kernels;
import recur.math.ScalarKernels;
import recur.math.VectorKernels;
import recur.model.ModelSpec;
import recur.model.ParamLayout;
import recur.model.Task;
import recur.testing.Fixture;

/**
 * Every model case of the PyTorch fixtures (copied into the test resources), on the Vector and the
 * scalar path: the loss, every parameter gradient, the final states, and for the tbptt_* cases each
 * chunk's loss and gradient with the state carried and detached between chunks. Tolerance:
 * |ours - torch| <= 1e-5 + 1e-4 * |torch| (the fixtures' stated float32 agreement).
 */
class PyTorchParityTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : Fixture.modelCases()) {
            if (c.startsWith("clip_adam")) {
                continue; // optimizer cases: recur.optim.OptimizerParityTest; clip_adam_base's gradients still run below
            }
            out.add(Arguments.of(c, new VectorKernels()));
            out.add(Arguments.of(c, new ScalarKernels()));
        }
        out.add(Arguments.of("clip_adam_base", new VectorKernels()));
        out.add(Arguments.of("clip_adam_base", new ScalarKernels()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void matchesPyTorch(String caseName, Kernels k) {
        Fixture f = Fixture.load(caseName);
        ModelSpec spec = f.spec();
        float[] params = f.params();
        ParamLayout layout = new ParamLayout(spec);
        boolean chunked = f.json().containsKey("k");
        int batch = batchOf(f, spec);
        int total = stepsOf(f, spec);
        int k1 = chunked ? f.integer("k") : total;
        Network net = new Network(spec, batch, k1, k);
        Window w = net.newWindow();
        RecurrentState state = net.newState();
        float[] grad = new float[layout.size()];
        int chunks = (total + k1 - 1) / k1;
        for (int c = 0; c < chunks; c++) {
            int from = c * k1;
            w.steps = Math.min(k1, total - from);
            fill(f, spec, w, batch, from);
            double loss = net.forwardBackward(params, grad, w, state);
            double expectedLoss = chunked ? f.numbers("chunk_losses")[c] : f.number("expected_loss");
            assertClose(expectedLoss, loss, caseName + " loss of chunk " + c);
            String prefix = chunked ? "chunk" + c + ".grad." : "grad.";
            float[] expected = f.grads(prefix);
            for (ParamLayout.View v : layout.views()) {
                for (int i = 0; i < v.size(); i++) {
                    assertClose(expected[v.offset() + i], grad[v.offset() + i],
                            caseName + " " + prefix + v.name() + "[" + i + "]");
                }
            }
        }
        if (f.has("final.h")) {
            assertState(f.f32("final.h"), state.h, batch, spec.hidden(), caseName + " final.h");
        }
        if (f.has("final.c")) {
            assertState(f.f32("final.c"), state.c, batch, spec.hidden(), caseName + " final.c");
        }
    }

    private static int batchOf(Fixture f, ModelSpec spec) {
        return spec.tokenInput() ? f.shape("tokens")[0] : f.shape("inputs")[0];
    }

    /** Steps in the whole sequence: language-model tokens hold T+1 per stream (inputs and shifted targets). */
    private static int stepsOf(Fixture f, ModelSpec spec) {
        if (!spec.tokenInput()) {
            return f.shape("inputs")[1];
        }
        int len = f.shape("tokens")[1];
        return spec.task() == Task.LM ? len - 1 : len;
    }

    /** Copies steps [from, from + w.steps) of the batch-major fixture tensors into the time-major window. */
    private static void fill(Fixture f, ModelSpec spec, Window w, int batch, int from) {
        if (spec.tokenInput()) {
            int[] tokens = f.ints("tokens");
            int len = f.shape("tokens")[1];
            for (int t = 0; t < w.steps; t++) {
                for (int b = 0; b < batch; b++) {
                    w.tokens[t * batch + b] = tokens[b * len + from + t];
                    if (spec.task() == Task.LM) {
                        w.targets[t * batch + b] = tokens[b * len + from + t + 1];
                    }
                }
            }
            if (spec.task() == Task.CLASSIFY) {
                int[] labels = f.ints("labels");
                System.arraycopy(labels, 0, w.labels, 0, batch);
            }
        } else {
            float[] in = f.f32("inputs");
            float[] out = f.f32("targets");
            int steps = f.shape("inputs")[1];
            int width = spec.inputSize();
            int o = spec.output();
            for (int t = 0; t < w.steps; t++) {
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(in, (b * steps + from + t) * width, w.inputs, (t * batch + b) * width, width);
                    System.arraycopy(out, (b * steps + from + t) * o, w.targetValues, (t * batch + b) * o, o);
                }
            }
        }
    }

    private static void assertState(float[] expected, float[][] actual, int batch, int hidden, String what) {
        assertEquals(expected.length, actual.length * batch * hidden, what + " size");
        for (int l = 0; l < actual.length; l++) {
            for (int i = 0; i < batch * hidden; i++) {
                assertClose(expected[l * batch * hidden + i], actual[l][i], what + "[" + l + "][" + i + "]");
            }
        }
    }

    static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 1e-5 + 1e-4 * Math.abs(expected),
                what + ": expected " + expected + " (PyTorch), found " + actual);
    }
}
