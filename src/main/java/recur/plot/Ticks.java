package recur.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten; Heckbert, "Nice numbers for graph
 * labels", Graphics Gems, 1990), and their labels.
 */
final class Ticks {
    private Ticks() {
    }

    /** The nice step for about {@code count} ticks over {@code [lo, hi]} ({@code lo < hi}). */
    static double step(double lo, double hi, int count) {
        double raw = (hi - lo) / Math.max(1, count);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * magnitude;
    }

    /** Multiples of {@code step} within {@code [lo, hi]} (with a little slack for rounding). */
    static List<Double> linear(double lo, double hi, double step) {
        List<Double> ticks = new ArrayList<>();
        double eps = step * 1e-9;
        for (long k = (long) Math.ceil((lo - eps) / step); k * step <= hi + eps; k++) {
            ticks.add(k * step);
        }
        return ticks;
    }

    /**
     * Ticks of a log axis over {@code [lo, hi]} in log10 units: every power of ten (every second or more
     * when there are many), and 2 and 5 times them when the range spans fewer than three decades.
     */
    static List<Double> log(double lo, double hi) {
        List<Double> ticks = new ArrayList<>();
        int first = (int) Math.floor(lo);
        int last = (int) Math.ceil(hi);
        int decades = last - first;
        int every = Math.max(1, (int) Math.ceil(decades / 8.0));
        double eps = 1e-9;
        for (int e = first; e <= last; e++) {
            if (decades < 3) {
                for (double m : new double[] {1, 2, 5}) {
                    double t = e + Math.log10(m);
                    if (t >= lo - eps && t <= hi + eps) {
                        ticks.add(t);
                    }
                }
            } else if (Math.floorMod(e, every) == 0 && e >= lo - eps && e <= hi + eps) {
                ticks.add((double) e);
            }
        }
        return ticks;
    }

    /** A label for a tick of a linear axis whose ticks are {@code step} apart. */
    static String label(double value, double step) {
        if (value == 0) {
            return "0";
        }
        double a = Math.abs(value);
        if (a >= 1e6 || step < 1e-4) {
            return compactExponent(String.format(Locale.ROOT, "%.3g", value));
        }
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A label for a tick of a log axis at {@code 10^exponent}. */
    static String logLabel(double exponent) {
        double v = Math.pow(10, exponent);
        if (exponent >= -3 && exponent < 6) {
            int decimals = Math.max(0, (int) Math.ceil(-exponent - 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        return compactExponent(String.format(Locale.ROOT, "%.0e", v));
    }

    /** "1e+07" as "1e7", "2.50e-05" as "2.50e-5". */
    private static String compactExponent(String s) {
        return s.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-");
    }
}
