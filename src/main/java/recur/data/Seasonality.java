package recur.data;

/**
 * The season of a series, the lag {@code s} of the seasonal-naive forecast {@code x_t = x_{t-s}}. From
 * a date column when there is one ({@link TimeAxis#stepsPerYear()}: 365 for daily data, 12 for
 * monthly); otherwise from the data: the lag of the highest autocorrelation of the target after it
 * first drops below zero, if that peak is above {@link #MIN_PEAK}; otherwise 1 (the seasonal-naive
 * forecast is then the persistence forecast).
 */
public record Seasonality(int period, String reason) {
    /** Lowest autocorrelation peak taken as a season. */
    public static final double MIN_PEAK = 0.2;
    /** Longest lag searched. */
    public static final int MAX_LAG = 1000;

    public static Seasonality of(TimeAxis axis, double[] y) {
        if (axis != null && axis.stepsPerYear() > 1) {
            return new Seasonality(axis.stepsPerYear(), "a year of " + axis.describe() + " steps (column '"
                    + axis.column() + "')");
        }
        return fromAutocorrelation(y);
    }

    /** The lag in [2, min(n/2, MAX_LAG)] of the highest autocorrelation peak after the first negative one. */
    public static Seasonality fromAutocorrelation(double[] y) {
        int n = y.length;
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= n;
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean);
        }
        if (n < 8 || !(var > 0)) {
            return new Seasonality(1, "too little variation to find a season");
        }
        boolean crossed = false;
        int best = 1;
        double bestAcf = MIN_PEAK;
        for (int lag = 1; lag <= Math.min(n / 2, MAX_LAG); lag++) {
            double s = 0;
            for (int t = lag; t < n; t++) {
                s += (y[t] - mean) * (y[t - lag] - mean);
            }
            double acf = s / var;
            if (acf < 0) {
                crossed = true;
            } else if (crossed && lag >= 2 && acf > bestAcf) {
                bestAcf = acf;
                best = lag;
            }
        }
        return best == 1 ? new Seasonality(1, "no seasonal autocorrelation found")
                : new Seasonality(best, String.format(java.util.Locale.ROOT,
                        "highest autocorrelation peak (%.2f at lag %d)", bestAcf, best));
    }
}
