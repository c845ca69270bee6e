package recur.cli;

import recur.train.StepStats;

/** Receives each optimizer step of a training run, on the training thread. */
interface TrainingListener {
    void onStep(StepStats stats);
}
