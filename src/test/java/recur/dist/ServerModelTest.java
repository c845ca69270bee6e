package recur.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.math.Kernels;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.wire.GradientMessage;

/**
 * The server's update with pushes carrying NaN or infinity: {@link ServerModel#applyChecked} scans the
 * pushes only when their average is not finite, and must then do exactly what averaging the finite
 * pushes alone does.
 */
class ServerModelTest {
    private static final int N = 1_000;

    private static ServerModel model(float[] params) {
        return new ServerModel(params.clone(), Optimizers.parse("sgd", N), LearningRateSchedule.parse("constant", 0.1, 10),
                5.0, 0, Kernels.get());
    }

    private static GradientMessage push(int worker, long lossCount, float[] g) {
        return new GradientMessage(worker, 0, g, lossCount, lossCount, 1.0, 1.0, 1.0, 1.0, 0, List.of());
    }

    private static float[] random(long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (float) r.nextDouble(-scale, scale);
        }
        return a;
    }

    @Test
    void finitePushesAreAppliedAsApplyDoes() {
        float[] p = random(1, 1);
        List<GradientMessage> grads = List.of(push(0, 64, random(2, 3)), push(1, 32, random(3, 3)));
        ServerModel checked = model(p);
        ServerModel plain = model(p);
        ServerModel.Checked c = checked.applyChecked(grads);
        ServerModel.Update u = plain.apply(grads);
        assertTrue(c.nonFinite().isEmpty());
        assertSame(grads, c.applied());
        assertEquals(u.version(), c.update().version());
        assertEquals(u.norm(), c.update().norm());
        assertArrayEquals(u.params(), c.update().params());
    }

    @Test
    void aPushWithNanOrInfinityIsLeftOutAndTheOthersAreApplied() {
        float[] p = random(4, 1);
        for (float poison : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] bad = random(5, 3);
            bad[N / 2] = poison;
            GradientMessage good1 = push(0, 64, random(6, 3));
            GradientMessage badPush = push(1, 64, bad);
            GradientMessage good2 = push(2, 16, random(7, 3));
            ServerModel checked = model(p);
            ServerModel plain = model(p);
            ServerModel.Checked c = checked.applyChecked(List.of(good1, badPush, good2));
            ServerModel.Update u = plain.apply(List.of(good1, good2));
            assertEquals(List.of(badPush), c.nonFinite(), "poison " + poison);
            assertEquals(List.of(good1, good2), c.applied());
            assertArrayEquals(u.params(), c.update().params(), "poison " + poison);
            assertEquals(1, checked.version());
            assertEquals(0, checked.skipped());
        }
    }

    @Test
    void aZeroWeightPushWithInfinityIsStillCaught() {
        float[] bad = random(8, 1);
        bad[0] = Float.POSITIVE_INFINITY; // weight 0 (no loss terms): 0 * inf is NaN, so the average shows it
        ServerModel m = model(random(9, 1));
        ServerModel.Checked c = m.applyChecked(List.of(push(0, 8, random(10, 1)), push(1, 0, bad)));
        assertEquals(1, c.nonFinite().size());
        assertEquals(1, c.nonFinite().getFirst().workerId());
    }

    @Test
    void whenEveryPushIsNonFiniteNothingChanges() {
        float[] p = random(11, 1);
        float[] nan = random(12, 1);
        nan[3] = Float.NaN;
        ServerModel m = model(p);
        ServerModel.Checked c = m.applyChecked(List.of(push(0, 8, nan)));
        assertNull(c.update());
        assertTrue(c.applied().isEmpty());
        assertEquals(0, m.version());
        assertArrayEquals(p, m.snapshot());
    }
}
