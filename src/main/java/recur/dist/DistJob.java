package recur.dist;

import java.util.Map;
import recur.model.ModelSpec;
import recur.train.TrainConfig;

/**
 * What the parameter server trains: the configuration (steps, optimizer, window, batch = streams per
 * shard, workers = shards, mode, staleness, clipping, checkpoints, output directory), the model's
 * spec, its initial parameters (copied; ignored when resuming from a checkpoint) and the data
 * ({@link ShardData}: token ids, a time series or labelled sequences). Workers get everything they
 * need from the server; they need no job of their own.
 *
 * <p>For the caller's records: {@code configNotes} are added to (and replace keys of) the run's
 * {@code config.json}; {@code modelMetadata} goes into {@code model.safetensors} next to the version,
 * {@code trained_steps}, the seed and {@code train_loss} (the last version's mean loss);
 * {@code latest}, when not null, receives each new version's weights before the listener sees it.
 */
public record DistJob(TrainConfig config, ModelSpec spec, float[] params, ShardData data,
                      Map<String, Object> configNotes, Map<String, String> modelMetadata, float[] latest) {

    public DistJob {
        configNotes = configNotes == null ? Map.of() : configNotes;
        modelMetadata = modelMetadata == null ? Map.of() : Map.copyOf(modelMetadata);
        if (latest != null && latest.length != params.length) {
            throw new IllegalArgumentException("latest must have " + params.length + " values, has " + latest.length);
        }
    }

    /** A job on token ids. */
    public DistJob(TrainConfig config, ModelSpec spec, float[] params, int[] tokens,
                   Map<String, Object> configNotes, Map<String, String> modelMetadata, float[] latest) {
        this(config, spec, params, new ShardData.Tokens(tokens), configNotes, modelMetadata, latest);
    }

    public DistJob(TrainConfig config, ModelSpec spec, float[] params, int[] tokens) {
        this(config, spec, params, new ShardData.Tokens(tokens), Map.of(), Map.of(), null);
    }

    /** The token ids of a job on text. */
    public int[] tokens() {
        if (data instanceof ShardData.Tokens t) {
            return t.tokens();
        }
        throw new IllegalStateException("the job trains on " + data.getClass().getSimpleName() + " data, not tokens");
    }
}
