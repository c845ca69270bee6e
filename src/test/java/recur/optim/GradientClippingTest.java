package recur.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import recur.math.Kernels;
import recur.math.ScalarKernels;

class GradientClippingTest {

    private final GradientClipping clip = new GradientClipping(Kernels.get());

    @Test
    void clipsToMaxNormWithTorchCoefficient() {
        float[] g = {3f, 4f};
        double norm = clip.clipNorm(g, 2, 1.0);
        assertEquals(5.0, norm, 0.0);
        float coef = 1f / (5f + 1e-6f);
        assertEquals(3f * coef, g[0], 0f);
        assertEquals(4f * coef, g[1], 0f);
        assertEquals(coef, clip.lastRatio(), 0.0);
        assertTrue(clip.lastClipped());
        assertEquals(1.0, Math.sqrt(g[0] * g[0] + g[1] * g[1]), 1e-6);
    }

    @Test
    void epsilonInCoefficientClipsAtExactlyMaxNorm() {
        // total_norm == max_norm: coef = 5 / (5 + 1e-6) < 1, so PyTorch still scales (slightly).
        float[] g = {3f, 4f};
        double norm = clip.clipNorm(g, 2, 5.0);
        assertEquals(5.0, norm, 0.0);
        float coef = 5f / (5f + 1e-6f);
        assertTrue(coef < 1f);
        assertEquals(3f * coef, g[0], 0f);
        assertTrue(g[0] < 3f);
        assertTrue(clip.lastClipped());
    }

    @Test
    void noOpUnderTheNorm() {
        float[] g = {0.3f, -0.4f, 0f};
        float[] before = g.clone();
        double norm = clip.clipNorm(g, 3, 1.0);
        assertEquals(0.5, norm, 1e-7);
        assertArrayEquals(before, g, 0f);
        assertEquals(1.0, clip.lastRatio(), 0.0);
        assertFalse(clip.lastClipped());
    }

    @Test
    void zeroGradientIsNotClipped() {
        float[] g = new float[5];
        assertEquals(0.0, clip.clipNorm(g, 5, 0.1), 0.0);
        assertArrayEquals(new float[5], g, 0f);
        assertEquals(1.0, clip.lastRatio(), 0.0);
    }

    @Test
    void clipsOnlyTheRange() {
        float[] g = {100f, 3f, 4f, 100f};
        double norm = clip.clipNorm(g, 1, 3, 1.0);
        assertEquals(5.0, norm, 0.0);
        assertEquals(100f, g[0], 0f);
        assertEquals(100f, g[3], 0f);
        assertEquals(3f * (1f / (5f + 1e-6f)), g[1], 0f);
    }

    @Test
    void nanGradientIsReportedAndLeftUntouched() {
        float[] g = {1f, Float.NaN, 3f};
        double norm = clip.clipNorm(g, 3, 1.0);
        assertTrue(Double.isNaN(norm));
        assertEquals(1f, g[0], 0f);
        assertTrue(Float.isNaN(g[1]));
        assertEquals(3f, g[2], 0f);
        assertEquals(1.0, clip.lastRatio(), 0.0);
        assertFalse(GradientClipping.allFinite(g, 3));
        assertEquals(1, GradientClipping.firstNonFinite(g, 0, 3));
        assertTrue(Double.isNaN(GradientClipping.ratio(norm, 1.0)));
    }

    @Test
    void infiniteGradientIsReportedAndLeftUntouched() {
        float[] g = {1e3f, Float.NEGATIVE_INFINITY, 3f};
        double norm = clip.clipNorm(g, 3, 1.0);
        assertTrue(Double.isInfinite(norm));
        assertEquals(1e3f, g[0], 0f);
        assertEquals(Float.NEGATIVE_INFINITY, g[1], 0f);
        assertEquals(1.0, clip.lastRatio(), 0.0);
    }

    @Test
    void hugeFiniteValuesGiveFiniteNorm() {
        float[] g = {Float.MAX_VALUE, Float.MAX_VALUE};
        assertTrue(GradientClipping.allFinite(g, 2));
        double norm = clip.clipNorm(g, 2, 1.0);
        assertTrue(Double.isFinite(norm));
        assertEquals(Math.sqrt(2) * Float.MAX_VALUE, norm, 1e30);
        assertTrue(GradientClipping.allFinite(g, 2));
    }

    @Test
    void hugeFiniteValuesOverLongArrayGiveFiniteNorm() {
        float[] g = new float[5000];
        java.util.Arrays.fill(g, 1e30f);
        double norm = clip.clipNorm(g, g.length, 1.0);
        assertEquals(Math.sqrt(5000) * (double) 1e30f, norm, 1e-12 * norm);
        assertTrue(GradientClipping.allFinite(g, g.length));
        assertEquals(1.0 / Math.sqrt(5000), g[0], 1e-6);
        g[17] = Float.POSITIVE_INFINITY;
        assertTrue(Double.isInfinite(clip.norm(g, 0, g.length)));
    }

    @Test
    void firstNonFiniteAcrossBlocks() {
        float[] g = new float[10_000];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) Math.sin(i) * 1e20f;
        }
        assertEquals(-1, GradientClipping.firstNonFinite(g, 0, g.length));
        assertTrue(GradientClipping.allFinite(g, g.length));
        g[9_001] = Float.POSITIVE_INFINITY;
        g[9_500] = Float.NaN;
        assertEquals(9_001, GradientClipping.firstNonFinite(g, 0, g.length));
        assertEquals(9_500, GradientClipping.firstNonFinite(g, 9_002, g.length));
        assertEquals(-1, GradientClipping.firstNonFinite(g, 0, 9_001));
        assertTrue(GradientClipping.allFinite(g, 9_001));
        assertFalse(GradientClipping.allFinite(g, 9_002));
    }

    @Test
    void finiteOnTheKernelsAgreesWithAllFinite() {
        float[] g = new float[10_003];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) Math.sin(i) * 1e20f;
        }
        for (GradientClipping c : new GradientClipping[] {clip, new GradientClipping(new ScalarKernels())}) {
            float[] h = g.clone();
            assertTrue(c.finite(h, h.length));
            h[h.length - 1] = Float.NEGATIVE_INFINITY;
            assertFalse(c.finite(h, h.length));
            assertTrue(c.finite(h, h.length - 1));
            h[4_097] = Float.NaN;
            assertFalse(c.finite(h, 4_098));
            assertTrue(c.finite(h, 4_097));
            assertThrows(IndexOutOfBoundsException.class, () -> c.finite(h, h.length + 1));
        }
    }

    @Test
    void valueClippingCountsAndClamps() {
        float[] g = {0.5f, -2f, 3f, -0.1f, 1f, Float.NaN, Float.POSITIVE_INFINITY};
        int n = GradientClipping.clipValue(g, g.length, 1f);
        assertEquals(3, n);
        assertEquals(0.5f, g[0], 0f);
        assertEquals(-1f, g[1], 0f);
        assertEquals(1f, g[2], 0f);
        assertEquals(-0.1f, g[3], 0f);
        assertEquals(1f, g[4], 0f); // exactly at the bound: unchanged, not counted
        assertTrue(Float.isNaN(g[5])); // clamp keeps NaN, like torch.clamp
        assertEquals(1f, g[6], 0f);
    }

    @Test
    void valueClippingRange() {
        float[] g = {5f, 5f, 5f};
        assertEquals(1, GradientClipping.clipValue(g, 1, 2, 2f));
        assertArrayEquals(new float[] {5f, 2f, 5f}, g, 0f);
    }

    @Test
    void rejectsBadArguments() {
        float[] g = {1f};
        assertThrows(IllegalArgumentException.class, () -> clip.clipNorm(g, 1, 0.0));
        assertThrows(IllegalArgumentException.class, () -> clip.clipNorm(g, 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipValue(g, 1, -1f));
        assertThrows(IndexOutOfBoundsException.class, () -> clip.clipNorm(g, 2, 1.0));
    }

    @Test
    void scalarAndDefaultKernelsAgree() {
        float[] a = new float[1000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) Math.cos(i * 0.37) * 0.01f;
        }
        float[] b = a.clone();
        double na = clip.clipNorm(a, a.length, 0.05);
        double nb = new GradientClipping(new ScalarKernels()).clipNorm(b, b.length, 0.05);
        assertEquals(nb, na, 1e-6 * nb); // kernels may accumulate blocks in float
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-6f * Math.abs(b[i]));
        }
    }
}
