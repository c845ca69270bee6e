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
            return m;
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
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < VOCAB; i++) {
            vocab.add(new String(Character.toChars(0x4E00 + i)));
        }
        ModelSpec spec = ModelSpec.tokens(cell, 1, cfg.hidden(), EMBED, vocab, Task.LM, VOCAB, false);
        float[] params = Initializer.initialize(spec, 0, false);
        SplittableRandom rng = new SplittableRandom(0);
        // Enough data that the timed steps never wrap: warm-up steps are bounded below.
        int maxWindows = 4096;
        int[] tokens = new int[cfg.batch() * cfg.steps() * maxWindows + 1];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(VOCAB);
        }
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
        double median = timedSteps % 2 == 1 ? times[timedSteps / 2]
                : 0.5 * (times[timedSteps / 2 - 1] + times[timedSteps / 2]);
        double tps = cfg.batch() * cfg.steps() / median;
        return new Result(cell.id, cfg, 1, tps, median * 1e3, tps * flopsPerToken(cell, cfg.hidden()) / 1e9);
    }

    /** Matrix-multiply flops per token of a training step, as the peer script counts them. */
    public static double flopsPerToken(CellType cell, int hidden) {
        int g = cell.gates;
        return 3.0 * (2.0 * g * hidden * (EMBED + hidden) + 2.0 * hidden * VOCAB);
    }
}
