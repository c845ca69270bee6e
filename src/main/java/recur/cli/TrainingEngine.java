package recur.cli;

/**
 * What actually trains: the single-process {@link LocalEngine} today, the verticles of recur.dist
 * when they land. The command validates, reports and writes files; the engine only trains.
 */
interface TrainingEngine {
    /** Trains until the configured number of steps or until {@code stop} is requested (after a full step). */
    TrainingOutcome train(TrainingJob job, TrainingListener listener, StopSignal stop);
}
