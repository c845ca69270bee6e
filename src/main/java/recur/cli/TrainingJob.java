package recur.cli;

import recur.model.ModelSpec;
import recur.train.TrainConfig;

/**
 * Everything an engine needs to train: the validated configuration, the model's spec, its initial
 * parameters (trained in place) and the training data as token ids.
 */
record TrainingJob(TrainConfig config, ModelSpec spec, float[] params, int[] tokens) {
}
