package recur.scaling;

/**
 * One measured run of the scaling grid: its setting (with the deployment, {@code local}: all workers
 * in this JVM, or {@code cluster}: one JVM per worker on this machine, and the parameter-server
 * shards), throughput (training time only, evaluation
 * excluded, the first tenth of the steps left out as warm-up), the time and tokens it took to reach
 * the target validation loss (NaN when it did not), bytes through the emulated network per version,
 * the median round-time split from metrics.csv, staleness percentiles and rejected pushes; then the
 * validation curve (seconds, tokens, loss).
 */
public record ScalingRun(int workers, String mode, int staleness, String cell, String config, String network,
                         String wire, String deployment, int psShards, long steps, long tokens, double seconds,
                         double tokensPerSecond, double finalValLoss, double secondsToTarget, double tokensToTarget, double bytesPerRound,
                         double roundMs, double computeMs, double commMs, double waitMs, double applyMs,
                         double stalenessP50, double stalenessP90, double stalenessMax, long rejected, long dropped,
                         double[] curveSeconds, double[] curveTokens, double[] curveLoss) {

    /** The setting without the worker count: runs with the same key form one scaling curve. */
    public String key() {
        return mode + (mode.equals("async") ? "-s" + staleness : "") + " " + cell + " " + config;
    }
}
