package recur.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OptimizerTest {

    // ---------------------------------------------------------------- SGD / momentum

    @Test
    void sgdStep() {
        Optimizer o = Optimizers.create("sgd", 2);
        float[] w = {1f, 2f};
        o.step(w, new float[] {0.5f, -1f}, 0.1);
        assertArrayEquals(new float[] {1f - 0.1f * 0.5f, 2f + 0.1f}, w, 0f);
        assertEquals(0.95f, w[0], 1e-7f);
        assertEquals(2.1f, w[1], 1e-7f);
        assertEquals(1, o.steps());
        assertEquals("sgd", o.name());
    }

    @Test
    void sgdWeightDecay() {
        Optimizer o = Optimizers.create("sgd", 1, Map.of("weight_decay", 0.5));
        float[] w = {2f};
        o.step(w, new float[] {1f}, 0.1);
        // d = 1 + 0.5 * 2 = 2; w = 2 - 0.1 * 2
        assertEquals(1.8f, w[0], 1e-7f);
    }

    @Test
    void momentumTorchConvention() {
        Optimizer o = Optimizers.create("momentum", 2, Map.of("momentum", 0.9));
        float[] w = {1f, -1f};
        float[] g1 = {0.5f, 0.25f};
        float[] g2 = {-1f, 0.5f};
        o.step(w, g1, 0.1);
        // first step: v = g (no (1 - dampening) factor, no mu * 0 term)
        assertEquals(1f - 0.05f, w[0], 1e-7f);
        assertEquals(-1f - 0.025f, w[1], 1e-7f);
        assertArrayEquals(g1, o.state().buffers().get(0), 0f);
        o.step(w, g2, 0.1);
        // v = 0.9 * 0.5 - 1 = -0.55 ; w = 0.95 + 0.055
        // v = 0.9 * 0.25 + 0.5 = 0.725 ; w = -1.025 - 0.0725
        assertEquals(-0.55f, o.state().buffers().get(0)[0], 1e-7f);
        assertEquals(0.725f, o.state().buffers().get(0)[1], 1e-7f);
        assertEquals(1.005f, w[0], 1e-6f);
        assertEquals(-1.0975f, w[1], 1e-6f);
        assertEquals("momentum", o.name());
    }

    @Test
    void momentumDampeningNotAppliedOnFirstStep() {
        Optimizer o = Optimizers.create("momentum", 1, Map.of("momentum", 0.5, "dampening", 0.5));
        float[] w = {0f};
        o.step(w, new float[] {2f}, 1.0);
        assertEquals(-2f, w[0], 0f); // v = g = 2
        o.step(w, new float[] {2f}, 1.0);
        // v = 0.5 * 2 + 0.5 * 2 = 2
        assertEquals(-4f, w[0], 0f);
    }

    @Test
    void nesterov() {
        Optimizer o = Optimizers.parse("momentum:momentum=0.9:nesterov=true", 1);
        float[] w = {0f};
        o.step(w, new float[] {1f}, 0.1);
        // v = 1 ; d = g + mu * v = 1.9
        assertEquals(-0.19f, w[0], 1e-7f);
        o.step(w, new float[] {1f}, 0.1);
        // v = 0.9 + 1 = 1.9 ; d = 1 + 0.9 * 1.9 = 2.71
        assertEquals(-0.19f - 0.271f, w[0], 1e-6f);
    }

    // ---------------------------------------------------------------- Adam

    @Test
    void adamFirstStepIsSignTimesLr() {
        Optimizer o = Optimizers.create("adam", 3);
        float[] w = {1f, 1f, 1f};
        o.step(w, new float[] {0.3f, -2f, 1e-3f}, 0.01);
        // m_hat = g, v_hat = g^2  =>  w -= lr * g / (|g| + eps)
        assertEquals(0.99f, w[0], 1e-6f);
        assertEquals(1.01f, w[1], 1e-6f);
        assertEquals(0.99f, w[2], 1e-6f);
    }

    @Test
    void adamTwoStepsHandComputed() {
        Optimizer o = new Adam(1, 0.9, 0.999, 1e-8, 0);
        float[] w = {0.5f};
        o.step(w, new float[] {0.2f}, 0.1);
        o.step(w, new float[] {-0.1f}, 0.1);
        // step 2: m = 0.9*0.02 + 0.1*(-0.1) = 0.008 ; v = 0.999*0.00004 + 0.001*0.01 = 0.00004996
        double m = 0.008, v = 0.00004996;
        double expected = 0.5 - 0.1 - (0.1 / (1 - 0.81)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.998001) + 1e-8);
        assertEquals(expected, w[0], 1e-6);
        assertEquals(0.008f, o.state().buffers().get(0)[0], 1e-9f);
        assertEquals(0.00004996f, o.state().buffers().get(1)[0], 1e-11f);
        assertEquals(2, o.steps());
    }

    @Test
    void adamWeightDecayIsL2() {
        Optimizer a = new Adam(1, 0.9, 0.999, 1e-8, 0.1);
        Optimizer b = new Adam(1, 0.9, 0.999, 1e-8, 0);
        float[] wa = {2f};
        float[] wb = {2f};
        a.step(wa, new float[] {0.1f}, 0.01);
        b.step(wb, new float[] {0.1f + 0.1f * 2f}, 0.01); // grad + wd * w, as torch Adam
        assertEquals(wb[0], wa[0], 0f);
        assertArrayEquals(b.state().buffers().get(0), a.state().buffers().get(0), 0f);
    }

    // ---------------------------------------------------------------- Adagrad

    @Test
    void adagradHandComputed() {
        Optimizer o = Optimizers.create("adagrad", 1);
        float[] w = {1f};
        o.step(w, new float[] {0.5f}, 0.1);
        assertEquals(0.9f, w[0], 1e-7f); // sum = 0.25 ; w -= 0.1 * 0.5 / 0.5
        o.step(w, new float[] {1f}, 0.1);
        // sum = 1.25 ; w -= 0.1 * 1 / sqrt(1.25)
        assertEquals(0.9 - 0.1 / Math.sqrt(1.25), w[0], 1e-6);
        assertEquals(1.25f, o.state().buffers().get(0)[0], 0f);
    }

    @Test
    void adagradLrDecayAndInitialAccumulator() {
        Optimizer o = Optimizers.create("adagrad", 1, Map.of("lr_decay", 1.0, "initial_accumulator_value", 0.75));
        assertEquals(0.75f, o.state().buffers().get(0)[0], 0f);
        float[] w = {0f};
        o.step(w, new float[] {0.5f}, 0.1); // clr = 0.1 ; sum = 1
        assertEquals(-0.05f, w[0], 1e-7f);
        o.step(w, new float[] {1f}, 0.1); // clr = 0.1 / 2 ; sum = 2
        assertEquals(-0.05 - 0.05 / Math.sqrt(2), w[0], 1e-7);
    }

    // ---------------------------------------------------------------- RMSprop

    @Test
    void rmspropHandComputed() {
        Optimizer o = Optimizers.create("rmsprop", 1);
        float[] w = {0f};
        o.step(w, new float[] {2f}, 0.01);
        // sq = 0.01 * 4 = 0.04 ; avg = 0.2 + 1e-8 ; w -= 0.01 * 2 / 0.2
        assertEquals(-0.1f, w[0], 1e-6f);
        o.step(w, new float[] {1f}, 0.01);
        double sq = 0.99 * 0.04 + 0.01;
        assertEquals(-0.1 - 0.01 / (Math.sqrt(sq) + 1e-8), w[0], 1e-6);
        assertEquals((float) sq, o.state().buffers().get(0)[0], 1e-8f);
    }

    @Test
    void rmspropMomentumAndCentered() {
        Optimizer o = Optimizers.create("rmsprop", 1, Map.of("momentum", 0.5, "centered", true, "alpha", 0.9));
        float[] w = {0f};
        o.step(w, new float[] {1f}, 0.1);
        // sq = 0.1 ; ga = 0.1 ; avg = sqrt(0.1 - 0.01) ; b = 1 / avg ; w = -0.1 b
        double avg1 = Math.sqrt(0.09) + 1e-8;
        double b1 = 1 / avg1;
        assertEquals(-0.1 * b1, w[0], 1e-5);
        o.step(w, new float[] {-1f}, 0.1);
        double sq = 0.9 * 0.1 + 0.1, ga = 0.9 * 0.1 - 0.1;
        double b2 = 0.5 * b1 + -1 / (Math.sqrt(sq - ga * ga) + 1e-8);
        assertEquals(-0.1 * b1 - 0.1 * b2, w[0], 1e-5);
        assertEquals(3, o.state().buffers().size());
    }

    // ---------------------------------------------------------------- against a double reference

    @ParameterizedTest
    @ValueSource(strings = {"sgd:weight_decay=0.01", "momentum:momentum=0.9:weight_decay=0.01",
            "momentum:momentum=0.8:nesterov=true", "momentum:momentum=0.9:dampening=0.1",
            "adam", "adam:beta1=0.8:beta2=0.99:eps=1e-6:weight_decay=0.01",
            "adagrad", "adagrad:lr_decay=0.01:initial_accumulator_value=0.1:weight_decay=0.01",
            "rmsprop", "rmsprop:momentum=0.9:centered=true:weight_decay=0.01"})
    void matchesDoubleReference(String spec) {
        int n = 257;
        Random r = new Random(spec.hashCode());
        float[] w = new float[n];
        double[] wd = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
            wd[i] = w[i];
        }
        Optimizer o = Optimizers.parse(spec, n);
        Reference ref = new Reference(spec, n);
        float[] g = new float[n];
        double[] gd = new double[n];
        for (int t = 0; t < 20; t++) {
            for (int i = 0; i < n; i++) {
                g[i] = (float) (r.nextGaussian() * 0.1);
                gd[i] = g[i];
            }
            double lr = 0.01 * (1 + t % 3);
            o.step(w, g, lr);
            ref.step(wd, gd, lr);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(wd[i], w[i], 1e-5 + 1e-5 * Math.abs(wd[i]), spec + " index " + i);
        }
    }

    /** Straightforward double-precision transcription of the torch.optim update rules. */
    private static final class Reference {
        final String name;
        final Map<String, String> hp = new java.util.HashMap<>();
        final double[] a;
        final double[] b;
        final double[] c;
        long t;

        Reference(String spec, int n) {
            String[] p = spec.split(":");
            name = p[0];
            for (int i = 1; i < p.length; i++) {
                String[] kv = p[i].split("=");
                hp.put(kv[0], kv[1]);
            }
            a = new double[n];
            b = new double[n];
            c = new double[n];
            java.util.Arrays.fill(a, d("initial_accumulator_value", 0));
        }

        double d(String k, double dflt) {
            return hp.containsKey(k) ? Double.parseDouble(hp.get(k)) : dflt;
        }

        void step(double[] w, double[] g0, double lr) {
            t++;
            double wdc = d("weight_decay", 0);
            for (int i = 0; i < w.length; i++) {
                double g = g0[i] + wdc * w[i];
                switch (name) {
                    case "sgd" -> w[i] -= lr * g;
                    case "momentum" -> {
                        double mu = d("momentum", 0.9);
                        a[i] = t == 1 ? g : mu * a[i] + (1 - d("dampening", 0)) * g;
                        double u = hp.containsKey("nesterov") ? g + mu * a[i] : a[i];
                        w[i] -= lr * u;
                    }
                    case "adam" -> {
                        double b1 = d("beta1", 0.9), b2 = d("beta2", 0.999);
                        b[i] = b1 * b[i] + (1 - b1) * g;
                        c[i] = b2 * c[i] + (1 - b2) * g * g;
                        double denom = Math.sqrt(c[i]) / Math.sqrt(1 - Math.pow(b2, t)) + d("eps", 1e-8);
                        w[i] -= lr / (1 - Math.pow(b1, t)) * b[i] / denom;
                    }
                    case "adagrad" -> {
                        double clr = lr / (1 + (t - 1) * d("lr_decay", 0));
                        a[i] += g * g;
                        w[i] -= clr * g / (Math.sqrt(a[i]) + d("eps", 1e-10));
                    }
                    case "rmsprop" -> {
                        double al = d("alpha", 0.99), mu = d("momentum", 0);
                        b[i] = al * b[i] + (1 - al) * g * g;
                        double avg;
                        if (hp.containsKey("centered")) {
                            c[i] = al * c[i] + (1 - al) * g;
                            avg = Math.sqrt(b[i] - c[i] * c[i]) + d("eps", 1e-8);
                        } else {
                            avg = Math.sqrt(b[i]) + d("eps", 1e-8);
                        }
                        if (mu > 0) {
                            a[i] = mu * a[i] + g / avg;
                            w[i] -= lr * a[i];
                        } else {
                            w[i] -= lr * g / avg;
                        }
                    }
                    default -> throw new AssertionError(name);
                }
            }
        }
    }

    // ---------------------------------------------------------------- state export / import

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "momentum:nesterov=true", "adam:weight_decay=0.01", "adagrad",
            "rmsprop", "rmsprop:momentum=0.5:centered=true"})
    void restoredStateContinuesBitIdentically(String spec) {
        int n = 100;
        Random r = new Random(42);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[][] grads = new float[6][n];
        for (float[] g : grads) {
            for (int i = 0; i < n; i++) {
                g[i] = (float) (r.nextGaussian() * 0.1);
            }
        }
        Optimizer a = Optimizers.parse(spec, n);
        for (int t = 0; t < 3; t++) {
            a.step(w, grads[t], 0.01);
        }
        OptimizerState saved = a.state();
        float[] wSaved = w.clone();
        assertEquals(3, saved.step());
        assertEquals(a.name(), saved.name());

        Optimizer b = Optimizers.parse(spec, n);
        b.restore(saved);
        assertEquals(3, b.steps());
        float[] w2 = wSaved.clone();
        for (int t = 3; t < 6; t++) {
            a.step(w, grads[t], 0.01);
            b.step(w2, grads[t], 0.01);
        }
        assertArrayEquals(w, w2, 0f);
        assertEquals(a.steps(), b.steps());
        List<float[]> sa = a.state().buffers();
        List<float[]> sb = b.state().buffers();
        assertEquals(sa.size(), sb.size());
        for (int i = 0; i < sa.size(); i++) {
            assertArrayEquals(sa.get(i), sb.get(i), 0f);
        }
        // the exported state is a snapshot, not a view of the live buffers
        assertEquals(3, saved.step());
        if (!saved.buffers().isEmpty()) {
            assertFalse(java.util.Arrays.equals(saved.buffers().get(0), sa.get(0)));
        }
    }

    @Test
    void stateIsACopyBothWays() {
        Optimizer o = Optimizers.create("adam", 2);
        o.step(new float[2], new float[] {1f, 1f}, 0.1);
        OptimizerState s = o.state();
        s.buffers().get(0)[0] = 123f;
        assertNotSame(s.buffers().get(0), o.state().buffers().get(0));
        assertTrue(o.state().buffers().get(0)[0] != 123f);
        Optimizer p = Optimizers.create("adam", 2);
        p.restore(s);
        s.buffers().get(0)[0] = 7f;
        assertEquals(123f, p.state().buffers().get(0)[0], 0f);
    }

    @Test
    void restoreRejectsForeignState() {
        Optimizer adam = Optimizers.create("adam", 4);
        assertThrows(IllegalArgumentException.class, () -> adam.restore(Optimizers.create("adagrad", 4).state()));
        assertThrows(IllegalArgumentException.class, () -> adam.restore(Optimizers.create("adam", 5).state()));
        assertThrows(IllegalArgumentException.class,
                () -> adam.restore(new OptimizerState("adam", 1, List.of(new float[4]))));
        Optimizer rms = Optimizers.create("rmsprop", 4);
        assertThrows(IllegalArgumentException.class,
                () -> rms.restore(Optimizers.parse("rmsprop:momentum=0.9", 4).state()));
    }

    // ---------------------------------------------------------------- factory

    @Test
    void factoryNames() {
        for (String name : Optimizers.NAMES) {
            Optimizer o = Optimizers.create(name, 3);
            assertEquals(name, o.name());
            assertEquals(3, o.size());
            assertEquals(0, o.steps());
        }
        assertEquals("adam", Optimizers.create(" ADAM ", 1).name());
    }

    @Test
    void unknownNameListsValidNames() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Optimizers.create("lamb", 3));
        for (String name : Optimizers.NAMES) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void badHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam", 3, Map.of("momentum", 0.9)));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.parse("adam:beta1=abc", 3));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.parse("adam:beta1", 3));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.parse("adam:beta1=1.0", 3));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.parse("momentum:momentum=0", 3));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.parse("momentum:nesterov=maybe", 3));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.parse("", 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("sgd", 3).step(new float[2], new float[3], 0.1));
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("sgd", 3).step(new float[3], new float[3], Double.NaN));
    }

    @Test
    void stepDoesNotTouchGradient() {
        for (String name : Optimizers.NAMES) {
            Optimizer o = Optimizers.create(name, 3);
            float[] g = {0.1f, -0.2f, 0.3f};
            float[] copy = g.clone();
            o.step(new float[3], g, 0.1);
            o.step(new float[3], g, 0.1);
            assertArrayEquals(copy, g, 0f, name);
        }
    }

    @Test
    void stepDoesNotAllocate() {
        var bean = ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean sun) || !sun.isThreadAllocatedMemorySupported()) {
            return;
        }
        int n = 4096;
        float[] w = new float[n];
        float[] g = new float[n];
        java.util.Arrays.fill(g, 0.01f);
        for (String spec : List.of("sgd", "momentum:nesterov=true", "adam:weight_decay=0.1", "adagrad",
                "rmsprop:momentum=0.9:centered=true")) {
            Optimizer o = Optimizers.parse(spec, n);
            for (int i = 0; i < 50; i++) {
                o.step(w, g, 1e-3);
            }
            long tid = Thread.currentThread().threadId();
            long before = sun.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 200; i++) {
                o.step(w, g, 1e-3);
            }
            long after = sun.getThreadAllocatedBytes(tid);
            assertTrue(after - before < 1024, spec + " allocated " + (after - before) + " bytes in 200 steps");
        }
    }
}
