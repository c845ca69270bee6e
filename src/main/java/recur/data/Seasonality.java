package recur.data;

/**
 * The season of a series, the lag {@code s} of the seasonal-naive forecast {@code x_t = x_{t-s}}, found
 * in the data: the lag of the highest autocorrelation of the target after the autocorrelation first
 * drops below zero, if that peak is above {@link #MIN_PEAK}. When the series has a date column and the
 * peak is within {@link #CALENDAR_TOLERANCE} of a year of its steps ({@link TimeAxis#stepsPerYear()}:
 * 365 for daily data, 12 for monthly), the calendar value is used (daily temperatures peak at 367
 * because of missing leap days; the season is still 365). With no peak, a year of steps if there is a
 * date column, else 1 (seasonal naive is then persistence). Monthly sunspots give about 11 years
 * (~127 months), not 12.
 */
public record Seasonality(int period, String reason) {
    /** Lowest autocorrelation peak taken as a season. */
    public static final double MIN_PEAK = 0.2;
    /** How far the autocorrelation peak may be from a calendar year and still be taken as one. */
    public static final double CALENDAR_TOLERANCE = 0.03;
    /** Longest lag searched. */
    public static final int MAX_LAG = 1000;

    public static Seasonality of(TimeAxis axis, double[] y) {
        Seasonality found = fromAutocorrelation(y);
        int year = axis == null ? 0 : axis.stepsPerYear();
        String calendar = "a year of " + (axis == null ? "" : axis.describe()) + " steps (column '"
                + (axis == null ? "" : axis.column()) + "')";
        if (year > 1 && found.period() > 1 && Math.abs(found.period() - year) <= CALENDAR_TOLERANCE * year) {
            return new Seasonality(year, calendar + ", where the autocorrelation peaks (lag " + found.period() + ")");
        }
        if (year > 1 && found.period() == 1) {
            return new Seasonality(year, calendar + "; " + found.reason());
        }
        return found;
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
