package recur.cli;

import recur.dist.ShardData;
import recur.model.ModelSpec;
import recur.train.TrainConfig;

/**
 * Everything an engine needs to train: the validated configuration, the model's spec, its initial
 * parameters (trained in place) and the training data (token ids, a time series or labelled
 * sequences).
 */
record TrainingJob(TrainConfig config, ModelSpec spec, float[] params, ShardData data) {

    /** A job on token ids. */
    TrainingJob(TrainConfig config, ModelSpec spec, float[] params, int[] tokens) {
        this(config, spec, params, new ShardData.Tokens(tokens));
    }
}
