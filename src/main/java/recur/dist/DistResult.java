package recur.dist;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a distributed run ended: the final parameters, the version reached (optimizer steps), whether a
 * stop request ended it early, rounds skipped for a non-finite average, the pushes rejected by reason,
 * the last round's mean loss and the run directory (null when nothing was written).
 */
public record DistResult(float[] params, long version, boolean stopped, long skippedSteps,
                         Map<Reject, Long> rejected, double lastLoss, Path runDir) {
}
