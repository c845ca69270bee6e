package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recur.train.StepStats;
import recur.train.TrainConfig;

/**
 * The sharded parameter server (--ps-shards K): K slices, each stepped by its own verticle, give the
 * weights of one server in sync mode: averaging and the optimizer are elementwise, and the global
 * clip uses the sum of the slices' sums of squares (see docs/scaling.md for the exact semantics).
 */
class ShardedServerTest {

    @TempDir
    Path tmp;

    private record Run(DistResult result, List<StepStats> steps) {
    }

    private Run run(int shards, double clipNorm, String name) throws Exception {
        TrainConfig c = DistFixtures.config(3, 2, 24, tmp.resolve(name));
        c.psShards = shards;
        c.clipNorm = clipNorm;
        List<StepStats> steps = Collections.synchronizedList(new ArrayList<>());
        DistResult r = LocalCluster.train(DistFixtures.job(c, DistFixtures.text(8_000)), steps::add, () -> false);
        return new Run(r, steps);
    }

    @Test
    void shardedSyncGivesTheWeightsOfOneServerWithGlobalNormClipping() throws Exception {
        Run one = run(1, 0.1, "k1");
        long clipped = one.steps().stream().filter(s -> s.clipRatio() < 1).count();
        assertTrue(clipped >= 12, "the clip must act on most steps, acted on " + clipped);
        for (int k : new int[] {2, 3}) {
            Run sharded = run(k, 0.1, "k" + k);
            assertEquals(24, sharded.result().version());
            SameWeights.assertSame(one.result().params(), sharded.result().params());
            for (int i = 0; i < 24; i++) {
                assertEquals(one.steps().get(i).loss(), sharded.steps().get(i).loss(), "loss of version " + (i + 1));
                assertEquals(one.steps().get(i).clipRatio(), sharded.steps().get(i).clipRatio(), "clip of " + (i + 1));
            }
            assertTrue(Files.exists(tmp.resolve("k" + k).resolve("model.safetensors")));
        }
        double first = one.steps().subList(0, 4).stream().mapToDouble(StepStats::loss).average().orElseThrow();
        double last = one.steps().subList(20, 24).stream().mapToDouble(StepStats::loss).average().orElseThrow();
        assertTrue(last < first - 0.3, "loss fell from " + first + " to " + last);
    }

    @Test
    void shardedSyncWithoutClippingGivesTheWeightsOfOneServer() throws Exception {
        SameWeights.assertSame(run(1, 0, "a").result().params(), run(3, 0, "b").result().params());
    }

    @Test
    void slicesAreContiguousAlignedAndCoverTheVector() {
        for (int p : new int[] {1024, 1025, 2047, 4097, 10_239, 89_062}) {
            for (int k = 1; k <= Math.min(5, p / ParamSlices.ALIGN); k++) {
                int[] b = ParamSlices.bounds(p, k);
                assertEquals(0, b[0]);
                assertEquals(p, b[k]);
                for (int i = 0; i < k; i++) {
                    assertTrue(b[i + 1] > b[i], p + " / " + k);
                    assertEquals(0, b[i] % ParamSlices.ALIGN, "slice starts are aligned");
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ParamSlices.bounds(3000, 3));
    }

    @Test
    void asyncWithShardsIsRefused() {
        TrainConfig c = DistFixtures.config(2, 2, 4, null);
        c.psShards = 2;
        c.mode = "async";
        assertThrows(IllegalArgumentException.class, () -> LocalCluster.train(
                DistFixtures.job(c, DistFixtures.text(2_000)), s -> { }, () -> false));
    }
}
