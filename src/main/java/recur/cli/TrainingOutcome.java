package recur.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** How a run ended: the trained parameters, the steps taken, and whether it was stopped early. */
record TrainingOutcome(float[] params, long steps, boolean stopped, long skippedSteps) {

    /** The start of the {@code --json-lines} "done" event every kind of training prints; callers add their own fields. */
    Map<String, Object> doneEvent(double loss) {
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("event", "done");
        done.put("steps", steps);
        done.put("stopped", stopped);
        done.put("skipped_steps", skippedSteps);
        done.put("loss", Progress.finite(loss));
        return done;
    }
}
