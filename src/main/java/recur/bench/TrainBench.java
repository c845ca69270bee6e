package recur.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import recur.data.TokenStreams;
import recur.math.Kernels;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.optim.LearningRateSchedule;
import recur.optim.Optimizers;
import recur.train.TrainConfig;
import recur.train.Trainer;

/**
 * The shared training benchmark (../shared/bench/README.md), measured exactly as the PyTorch peer
 * measures it: embedding (V 65, E 64) -> one recurrent layer of H -> linear head; a fixed random token
 * stream cut into B streams; one step = forward over a window of T from the carried state, mean
 * cross-entropy, backward, global-norm clipping at 5, SGD lr 0.01. tokens/s = B*T / median step time
 * after a warm-up long enough for the JIT (a short warm-up can leave a kernel deoptimised).
 */
public final class TrainBench {
    public static final int VOCAB = 65;
    public static final int EMBED = 64;

    /** A benchmark configuration: hidden H, batch B, window T. */
    public record Config(String name, int hidden, int batch, int steps) {}

    public static final Map<String, Config> CONFIGS = new LinkedHashMap<>();

    static {
        CONFIGS.put("charlm", new Config("charlm", 256, 32, 64));
        CONFIGS.put("small", new Config("small", 128, 1, 50));
        CONFIGS.put("large", new Config("large", 1024, 64, 32));
    }

    /** One measured line, with the keys of torch_rnn_bench.py. */
    public record Result(String cell, Config config, int threads, double tokensPerSecond, double medianStepMs,
                         double gflops) {
        public Map<String, Object> toMap(String system) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("system", system);
            m.put("cell", cell);
            m.put("config", config.name());
            m.put("hidden", config.hidden());
            m.put("batch", config.batch());
            m.put("seq", config.steps());
            m.put("threads", threads);
            m.put("tokens_per_s", tokensPerSecond);
            m.put("median_step_ms", medianStepMs);
            m.put("gflops", gflops);
            m.put("gflops_performed", gflopsPerformed());
            return m;
        }

        /** GFLOP/s of the products recur actually runs (gflops counts the peer's products). */
        public double gflopsPerformed() {
            CellType c = CellType.parse(cell);
            return gflops * flopsPerformedPerToken(c, config) / flopsPerToken(c, config.hidden());
        }
    }

    private TrainBench() {}

    /**
     * Measures one cell at one configuration on the calling thread.
     *
     * @param warmupSeconds untimed steps for at least this long (and at least 5 steps)
     * @param timedSteps    timed steps whose median is reported
     */
    public static Result run(CellType cell, Config cfg, double warmupSeconds, int timedSteps, Kernels k) {
        ModelSpec spec = benchSpec(cell, cfg);
        float[] params = Initializer.initialize(spec, 0, false);
        int[] tokens = randomTokens(cfg, cfg.batch(), 1024);
        TokenStreams streams = TokenStreams.of(tokens, cfg.batch(), cfg.steps());
        var opt = Optimizers.parse("sgd", params.length);
        Trainer trainer = new Trainer(spec, params, streams, cfg.steps(), opt, new LearningRateSchedule.Constant(0.01),
                5.0, 0.0, k);
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        for (int i = 0; i < 5 || System.nanoTime() < warmEnd; i++) {
            trainer.step();
        }
        double[] times = new double[timedSteps];
        for (int i = 0; i < timedSteps; i++) {
            long t0 = System.nanoTime();
            trainer.step();
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(times);
        double median = median(times);
        double tps = cfg.batch() * cfg.steps() / median;
        return new Result(cell.id, cfg, 1, tps, median * 1e3, tps * flopsPerToken(cell, cfg.hidden()) / 1e9);
    }

    /**
     * The same step in local mode: {@code workers} worker verticles of B streams each and a
     * parameter server in one JVM (sync, SGD lr 0.01, clip 5), so each version processes
     * workers * B * T tokens. tokens/s = that / the median time between versions, after the warm-up.
     * The run's files go to a temporary directory that is deleted afterwards.
     */
    public static Result runLocal(CellType cell, Config cfg, int workers, double warmupSeconds, int timedSteps)
            throws InterruptedException, java.io.IOException {
        ModelSpec spec = benchSpec(cell, cfg);
        int[] tokens = randomTokens(cfg, workers * cfg.batch(), 1024);
        TrainConfig c = new TrainConfig();
        c.workers = workers;
        c.batch = cfg.batch();
        c.window = cfg.steps();
        c.optimizer = "sgd";
        c.lr = 0.01;
        c.clipNorm = 5.0;
        c.steps = Long.MAX_VALUE / 2;
        c.mode = "sync";
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("recur-bench");
        c.out = dir;
        long[] stamps = new long[timedSteps + 1];
        int[] seen = {0};
        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        long[] versions = {0};
        try {
            recur.dist.LocalCluster.train(new recur.dist.DistJob(c, spec, Initializer.initialize(spec, 0, false), tokens),
                    s -> {
                        versions[0]++;
                        long now = System.nanoTime();
                        if ((now >= warmEnd && versions[0] > 5 || seen[0] > 0) && seen[0] <= timedSteps) {
                            stamps[seen[0]++] = now;
                        }
                    }, () -> seen[0] > timedSteps);
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        double[] times = new double[timedSteps];
        for (int i = 0; i < timedSteps; i++) {
            times[i] = (stamps[i + 1] - stamps[i]) / 1e9;
        }
        Arrays.sort(times);
        double median = median(times);
        double tps = (double) workers * cfg.batch() * cfg.steps() / median;
        return new Result(cell.id, cfg, workers, tps, median * 1e3, tps * flopsPerToken(cell, cfg.hidden()) / 1e9);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static ModelSpec benchSpec(CellType cell, Config cfg) {
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < VOCAB; i++) {
            vocab.add(new String(Character.toChars(0x4E00 + i)));
        }
        return ModelSpec.tokens(cell, 1, cfg.hidden(), EMBED, vocab, Task.LM, VOCAB, false);
    }

    /** A fixed random token stream of {@code windows} windows per stream (longer runs wrap around). */
    private static int[] randomTokens(Config cfg, int streams, int windows) {
        SplittableRandom rng = new SplittableRandom(0);
        int[] tokens = new int[streams * cfg.steps() * windows + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(VOCAB);
        }
        return tokens;
    }

    /**
     * Matrix-multiply flops per token that recur actually performs: with the embedding folded into the
     * input projection (a window folds when it has at most B*T / 2 distinct tokens: always at charlm and
     * large, whose 2,048 rows hold at most the 65 tokens; not at small, whose 50 rows of the bench's random
     * stream hold ~35) the three input-side products run on 65 rows a window instead of B*T.
     */
    public static double flopsPerformedPerToken(CellType cell, Config cfg) {
        int rows = cfg.batch() * cfg.steps();
        if (VOCAB > rows / 2) {
            return flopsPerToken(cell, cfg.hidden());
        }
        double g = cell.gates;
        double h = cfg.hidden();
        return 3.0 * (2.0 * g * h * h + 2.0 * h * VOCAB) + 3.0 * 2.0 * g * h * EMBED * VOCAB / rows;
    }

    /** Matrix-multiply flops per token of a training step, as the peer script counts them. */
    public static double flopsPerToken(CellType cell, int hidden) {
        int g = cell.gates;
        return 3.0 * (2.0 * g * hidden * (EMBED + hidden) + 2.0 * hidden * VOCAB);
    }
}
