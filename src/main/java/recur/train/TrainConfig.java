package recur.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every option of a training run, with the defaults the CLI shows. Mutable on purpose: the CLI,
 * a configuration file and overrides fill it in that order; {@link #toMap()} is what gets written to
 * the run directory as the effective configuration.
 */
public final class TrainConfig {
    // data
    public Path text;

    // model
    public String cell = "lstm";
    public int layers = 1;
    public int hidden = 128;
    public int embedding = 32;
    public boolean learnedH0 = false;
    public boolean forgetBiasOne = false;

    // truncated BPTT
    public int window = 64;
    public int batch = 16;

    // optimisation
    public String optimizer = "adam";
    public double lr = 2e-3;
    public String schedule = "constant";
    /** Global L2-norm clip; 0 disables. */
    public double clipNorm = 5.0;
    /** Element-wise clip; 0 disables. */
    public double clipValue = 0.0;
    public long steps = 500;
    public long seed = 1;

    // output
    public Path out = Path.of("runs", "latest");
    public int logEvery = 10;

    // distributed (local mode by default)
    public int workers = 1;
    public String mode = "sync";
    public int staleness = 0;
    public int checkpointEvery = 0;
    public Path resume;
    public boolean cluster = false;
    public int expectWorkers = 0;
    public Path clusterConfig;
    public String clusterName;
    /** Distributed: L2-norm clip each worker applies to its own gradient before pushing; 0 disables. */
    public double localClipNorm = 0.0;

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text == null ? null : text.toString());
        m.put("cell", cell);
        m.put("layers", layers);
        m.put("hidden", hidden);
        m.put("embedding", embedding);
        m.put("learned_h0", learnedH0);
        m.put("forget_bias_one", forgetBiasOne);
        m.put("window", window);
        m.put("batch", batch);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("schedule", schedule);
        m.put("clip_norm", clipNorm);
        m.put("clip_value", clipValue);
        m.put("steps", steps);
        m.put("seed", seed);
        m.put("out", out == null ? null : out.toString());
        m.put("log_every", logEvery);
        m.put("workers", workers);
        m.put("mode", mode);
        m.put("staleness", staleness);
        m.put("checkpoint_every", checkpointEvery);
        m.put("resume", resume == null ? null : resume.toString());
        m.put("cluster", cluster);
        m.put("expect_workers", expectWorkers);
        m.put("cluster_config", clusterConfig == null ? null : clusterConfig.toString());
        m.put("cluster_name", clusterName);
        m.put("local_clip_norm", localClipNorm);
        return m;
    }
}
