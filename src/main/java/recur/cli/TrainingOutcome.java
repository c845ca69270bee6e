package recur.cli;

/** How a run ended: the trained parameters, the steps taken, and whether it was stopped early. */
record TrainingOutcome(float[] params, long steps, boolean stopped, long skippedSteps) {
}
