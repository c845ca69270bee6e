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
    // data: word level, labelled sequences, validation (text tasks)
    /** char or word tokens. */
    public String level = "char";
    /** lm, classify (with {@link #labels}) or word-order. */
    public String task = "lm";
    /** label&lt;TAB&gt;text lines to classify. */
    public Path labels;
    /** Largest word vocabulary, &lt;unk&gt; included; 0: no cap. */
    public int vocabSize = 10_000;
    /** Fewest occurrences a word needs to get its own id. */
    public int minCount = 1;
    public boolean lowercase = true;
    /** Tail of the data held out for validation; 0: none. */
    public double valFraction = 0;
    /** A separate validation file (text, or labels for classify). */
    public Path valText;
    /** Steps between validations; 0: ten times per run. */
    public int evalEvery = 0;
    /** A model to continue training (its architecture and vocabulary are kept). */
    public Path initModel;

    // data: CSV time series (a forecaster)
    /** CSV file of a time series. */
    public Path csv;
    /** Column to forecast. */
    public String target;
    /** Further input columns; null: none. */
    public java.util.List<String> features;
    /** Columns of categories, one-hot encoded; null: none. */
    public java.util.List<String> categorical;
    /** Missing values: error, drop, ffill or interpolate. */
    public String missing = "error";
    /** Last fraction of the rows kept out of training and scored at the end. */
    public double holdout = 0;
    /** Season of the seasonal-naive baseline; null: from the dates or the autocorrelation. */
    public Integer season;

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
    /** Wire compression of gradients and weights in distributed training: f32 or bf16. */
    public String wire = "f32";
    /** Distributed (sync): parameter-server shards, each owning a contiguous slice of the parameters. */
    public int psShards = 1;
    /**
     * Cluster mode, psShards > 1: shards 1..K-1 run on their own nodes ({@code recur ps-shard}) instead
     * of beside the server; the server waits up to {@code psShardWait} seconds for them before training.
     */
    public boolean psShardNodes = false;
    public int psShardWait = 120;

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", text == null ? null : text.toString());
        m.put("level", level);
        m.put("task", task);
        m.put("labels", labels == null ? null : labels.toString());
        m.put("vocab_size", vocabSize);
        m.put("min_count", minCount);
        m.put("lowercase", lowercase);
        m.put("val_fraction", valFraction);
        m.put("val_text", valText == null ? null : valText.toString());
        m.put("eval_every", evalEvery);
        m.put("init_model", initModel == null ? null : initModel.toString());
        m.put("csv", csv == null ? null : csv.toString());
        m.put("target", target);
        m.put("features", features);
        m.put("categorical", categorical);
        m.put("missing", missing);
        m.put("holdout", holdout);
        m.put("season", season);
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
        m.put("wire", wire);
        m.put("ps_shards", psShards);
        m.put("ps_shard_nodes", psShardNodes);
        m.put("ps_shard_wait", psShardWait);
        return m;
    }
}
