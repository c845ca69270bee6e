package recur.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import recur.data.LabelledSequences.Sequence;
import recur.data.SeriesWindows;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.train.TrainConfig;
import recur.train.Trainer;
import recur.wire.ShardSlice;

/**
 * The trainer on the other kinds of shard data: a time series (cut like text, so N workers of B
 * streams see what one process with N*B streams sees) and labelled sequences (dealt to the shards).
 */
class ShardDataTest {

    /** Two seeded channels: a sine and noise, (N, 2). */
    private static float[] series(int steps) {
        SplittableRandom r = new SplittableRandom(3);
        float[] v = new float[steps * 2];
        for (int t = 0; t < steps; t++) {
            v[2 * t] = (float) Math.sin(t * 0.3);
            v[2 * t + 1] = (float) r.nextGaussian();
        }
        return v;
    }

    private static DistJob seriesJob(TrainConfig c, float[] values) {
        ModelSpec spec = ModelSpec.real(CellType.GRU, 1, 16, 2, Task.REGRESSION, 2, false);
        float[] params = Initializer.initialize(spec, c.seed, c.forgetBiasOne);
        return new DistJob(c, spec, params, new ShardData.Series(values, 2), null, null, null);
    }

    private static float[] single(DistJob job, int streams) {
        TrainConfig c = job.config();
        float[] p = job.params().clone();
        var values = ((ShardData.Series) job.data()).values();
        Trainer t = new Trainer(job.spec(), p, new SeriesWindows(values, 2, streams, c.window), c.window,
                Optimizers.parse(c.optimizer, p.length), LearningRateSchedule.parse(c.schedule, c.lr, c.steps),
                c.clipNorm, c.clipValue, Kernels.get());
        t.run(c.steps, s -> { });
        return p;
    }

    @Test
    void oneSeriesWorkerIsBitIdenticalToSingleProcessTraining() throws Exception {
        TrainConfig c = DistFixtures.config(1, 4, 12, null);
        c.clipNorm = 0.5;
        DistJob job = seriesJob(c, series(403));
        float[] dist = LocalCluster.train(job, s -> { }, () -> false).params();
        SameWeights.assertSame(single(job, 4), dist);
    }

    @Test
    void seriesWorkersMatchOneProcessWithAllStreams() throws Exception {
        TrainConfig c = DistFixtures.config(2, 3, 12, null);
        c.optimizer = "sgd";
        c.lr = 0.5;
        DistJob job = seriesJob(c, series(500));
        float[] dist = LocalCluster.train(job, s -> { }, () -> false).params();
        float[] single = single(job, 6);
        double maxDiff = 0;
        double maxMove = 0;
        for (int i = 0; i < single.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(dist[i] - single[i]));
            maxMove = Math.max(maxMove, Math.abs(single[i] - job.params()[i]));
        }
        assertTrue(maxMove > 1e-3, "training moved the weights: " + maxMove);
        assertTrue(maxDiff < 2e-5, "max difference to single-process training " + maxDiff);
    }

    @Test
    void labelledSequencesAreDealtToShardsAndTrainReproducibly() throws Exception {
        List<Sequence> seqs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 30; i++) {
            int[] tokens = new int[2 + r.nextInt(5)];
            for (int j = 0; j < tokens.length; j++) {
                tokens[j] = r.nextInt(6);
            }
            seqs.add(new Sequence(tokens, tokens[0] % 2));
        }
        ShardData.Labelled data = new ShardData.Labelled(seqs, 17);
        ShardSlice.Labelled s0 = (ShardSlice.Labelled) data.slice(0, 2, 4);
        ShardSlice.Labelled s1 = (ShardSlice.Labelled) data.slice(1, 2, 4);
        assertEquals(15, s0.sequences().size());
        assertEquals(seqs.get(3), s1.sequences().get(1));
        assertNotEquals(s0.seed(), s1.seed());

        TrainConfig c = DistFixtures.config(2, 4, 15, null);
        ModelSpec spec = ModelSpec.tokens(CellType.LSTM, 1, 8, 4, List.of("a", "b", "c", "d", "e", "f"), Task.CLASSIFY,
                2, false);
        float[] params = Initializer.initialize(spec, c.seed, c.forgetBiasOne);
        float[] a = LocalCluster.train(new DistJob(c, spec, params, data, null, null, null), s -> { }, () -> false).params();
        float[] b = LocalCluster.train(new DistJob(c, spec, params, data, null, null, null), s -> { }, () -> false).params();
        SameWeights.assertSame(a, b);
        boolean moved = false;
        for (int i = 0; i < a.length && !moved; i++) {
            moved = a[i] != params[i];
        }
        assertTrue(moved, "training moved the weights");
    }
}
