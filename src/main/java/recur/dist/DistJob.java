package recur.dist;

import recur.model.ModelSpec;
import recur.train.TrainConfig;

/**
 * What the parameter server trains: the configuration (steps, optimizer, window, batch = streams per
 * shard, workers = shards, mode, staleness, clipping, checkpoints, output directory), the model's
 * spec, its initial parameters (ignored when resuming from a checkpoint) and the data as token ids.
 * Workers get everything they need from the server; they need no job of their own.
 */
public record DistJob(TrainConfig config, ModelSpec spec, float[] params, int[] tokens) {
}
