package recur.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
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
 * The embedding folded into the first input projection ({@link TokenFold}) against the plain path: the
 * same network built with folding on and off, fed the same windows. Forward must give the same bits;
 * the gradient adds the same terms in another order, so it must agree to float round-off.
 */
class TokenFoldTest {
    static final int B = 4;
    static final int T = 6;   // R = 24 rows: folded while at most 12 distinct tokens

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kernels k : new Kernels[] {new ScalarKernels(), new VectorKernels()}) {
            for (CellType cell : CellType.values()) {
                out.add(Arguments.of(k, cell, Task.LM, 1, false));
                out.add(Arguments.of(k, cell, Task.LM, 2, true));
                out.add(Arguments.of(k, cell, Task.CLASSIFY, 1, false));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} layers={3} learnedH0={4}")
    @MethodSource("cases")
    void foldedWindowsMatchThePlainPath(Kernels k, CellType cell, Task task, int layers, boolean learnedH0) {
        int outputs = task == Task.LM ? 30 : 3;
        ModelSpec spec = ModelSpec.tokens(cell, layers, 20, 5, vocab(30), task, outputs, learnedH0);
        float[] params = Initializer.initialize(spec, 11 + cell.ordinal(), false);
        Network folding = new Network(spec, B, T, k, true);
        Network plain = new Network(spec, B, T, k, false);
        RecurrentState sf = folding.newState();
        RecurrentState sp = plain.newState();
        SplittableRandom rng = new SplittableRandom(5 + cell.ordinal());
        // 8 distinct tokens (folded), then 30 (too many for 24 rows: plain), then 8 again (folded, after
        // the slots of the unfolded window were cleared), with the state carried across all three.
        for (int vocabUsed : new int[] {8, 30, 8}) {
            Window wf = folding.newWindow();
            Window wp = plain.newWindow();
            fill(wf, rng.split(), vocabUsed, spec.vocabSize(), outputs);
            copy(wf, wp);
            float[] gf = new float[folding.layout().size()];
            float[] gp = new float[plain.layout().size()];
            double lf = folding.forwardBackward(params, gf, wf, sf);
            double lp = plain.forwardBackward(params, gp, wp, sp);
            assertEquals(vocabUsed <= B * T / 2, folding.folded(), "folded, " + vocabUsed + " distinct tokens");
            assertEquals(false, plain.folded());
            assertEquals(lp, lf, 0.0, "loss, " + vocabUsed + " distinct tokens");
            assertArrayEquals(plain.outputs(), folding.outputs(), "logits, " + vocabUsed + " distinct tokens");
            assertArrayEquals(sp.h[layers - 1], sf.h[layers - 1], "carried state");
            double norm = 0;
            for (float g : gp) {
                norm = Math.max(norm, Math.abs(g));
            }
            for (int i = 0; i < gp.length; i++) {
                assertTrue(Math.abs(gp[i] - gf[i]) <= 1e-5 * norm + 1e-6 * Math.abs(gp[i]),
                        "gradient " + name(plain, i) + ": plain " + gp[i] + " folded " + gf[i]);
            }
            if (vocabUsed == 30) { // the window that could not fold took the plain path: same bits
                assertArrayEquals(gp, gf, "unfolded window's gradient");
            }
        }
    }

    @Test
    void aFoldedWindowStillRejectsATokenOutsideTheVocabulary() {
        ModelSpec spec = ModelSpec.tokens(CellType.LSTM, 1, 8, 4, vocab(10), Task.LM, 10, false);
        float[] params = Initializer.initialize(spec, 3, false);
        Network net = new Network(spec, B, T, new VectorKernels(), true);
        Window w = net.newWindow();
        w.tokens[17] = 10;
        var e = assertThrows(IllegalArgumentException.class, () -> net.loss(params, w, net.newState()));
        assertEquals("token id 10 outside the vocabulary of 10", e.getMessage());
    }

    private static void fill(Window w, SplittableRandom rng, int distinct, int vocab, int outputs) {
        int base = rng.nextInt(vocab - distinct + 1);
        for (int i = 0; i < w.tokens.length; i++) {
            // every one of the distinct tokens appears at least once when distinct <= rows
            w.tokens[i] = base + (i < distinct ? i : rng.nextInt(distinct));
        }
        for (int i = 0; i < w.targets.length; i++) {
            w.targets[i] = rng.nextInt(outputs);
        }
        for (int b = 0; b < w.labels.length; b++) {
            w.labels[b] = rng.nextInt(outputs);
        }
    }

    private static void copy(Window from, Window to) {
        System.arraycopy(from.tokens, 0, to.tokens, 0, from.tokens.length);
        System.arraycopy(from.targets, 0, to.targets, 0, from.targets.length);
        System.arraycopy(from.labels, 0, to.labels, 0, from.labels.length);
    }

    private static List<String> vocab(int n) {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            v.add("t" + i);
        }
        return v;
    }

    private static String name(Network net, int index) {
        for (var v : net.layout().views()) {
            if (index >= v.offset() && index < v.offset() + v.size()) {
                return v.name() + "[" + (index - v.offset()) + "]";
            }
        }
        return "#" + index;
    }
}
