package recur.io;

import java.util.Locale;

/**
 * Doubles as decimal text, the way {@code String.format(Locale.ROOT, ...)} writes them with {@code %.Nf}
 * and {@code %.6g}, without a {@link java.util.Formatter}: the parameter server writes a metrics row a
 * round, and String.format took up to ~0.25 ms of CPU for one before the JIT compiled it, 1.7-2.7 µs
 * after (docs/performance.md), on a thread that competes with the round's transfers. The value is
 * scaled by a power of ten and rounded half up to a whole number; where that scaled value lies within a
 * few ulps of a half-way point (Formatter rounds the value's shortest decimal, which can be a tie the
 * binary value is not), and where a long cannot hold it, String.format writes the number, so the text
 * is always Formatter's.
 */
public final class Decimals {
    private static final double[] POW10 = new double[23]; // exact: every power of ten up to 10^22 is a double
    private static final long LIMIT = 1L << 53;          // scaled values past this are not whole-number exact

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private Decimals() {
    }

    /** Appends {@code x} with {@code decimals} (0..9) digits after the point: {@code %.<decimals>f}. */
    public static StringBuilder fixed(StringBuilder out, double x, int decimals) {
        if (decimals < 0 || decimals > 9) {
            throw new IllegalArgumentException("decimals must be 0..9, got " + decimals);
        }
        if (!Double.isFinite(x)) {
            return special(out, x);
        }
        double scaled = Math.abs(x) * POW10[decimals];
        if (scaled >= LIMIT || nearTie(scaled)) {
            return out.append(String.format(Locale.ROOT, "%." + decimals + "f", x));
        }
        sign(out, x);
        return point(out, Math.round(scaled), decimals);
    }

    /** Appends {@code x} with six significant digits: {@code %.6g}. */
    public static StringBuilder general6(StringBuilder out, double x) {
        if (!Double.isFinite(x)) {
            return special(out, x);
        }
        if (x == 0) {
            sign(out, x);
            return out.append("0.00000");
        }
        double a = Math.abs(x);
        int e = (int) Math.floor(Math.log10(a));
        long m = sixDigits(a, e);
        if (m >= 1_000_000) { // rounded up into the next decade (or log10 rounded up)
            e++;
            m = sixDigits(a, e);
        } else if (m >= 0 && m < 100_000) { // log10 rounded down
            e--;
            m = sixDigits(a, e);
        }
        if (m < 0) {
            return out.append(String.format(Locale.ROOT, "%.6g", x));
        }
        sign(out, x);
        if (e >= -4 && e < 6) { // Formatter's rule: plain digits from 10^-4 up to 10^6
            if (e >= 0) {
                return point(out, m, 5 - e);
            }
            out.append("0.");
            for (int i = -1; i > e; i--) {
                out.append('0');
            }
            return out.append(m);
        }
        point(out, m, 5).append('e').append(e < 0 ? '-' : '+');
        int pe = Math.abs(e);
        return out.append(pe < 10 ? "0" : "").append(pe);
    }

    /**
     * {@code a} in [10^e, 10^(e+1)) scaled to six digits and rounded half up; -1 where that is not sure to
     * be Formatter's digits (no exact power of ten to scale by, or a near tie).
     */
    private static long sixDigits(double a, int e) {
        int k = 5 - e; // a * 10^k
        double scaled = k >= 0 && k < POW10.length ? a * POW10[k] : k < 0 && -k < POW10.length ? a / POW10[-k] : -1;
        return scaled < 0 || nearTie(scaled) ? -1 : Math.round(scaled);
    }

    /** Whether {@code scaled} is so close to a half that its rounding may not be the decimal's. */
    private static boolean nearTie(double scaled) {
        return Math.abs(scaled - Math.floor(scaled) - 0.5) <= 8 * Math.ulp(scaled);
    }

    /** {@code v / 10^decimals} with exactly {@code decimals} digits after the point. */
    private static StringBuilder point(StringBuilder out, long v, int decimals) {
        if (decimals == 0) {
            return out.append(v);
        }
        long unit = (long) POW10[decimals];
        long frac = v % unit;
        out.append(v / unit).append('.');
        for (long p = unit / 10; p > 1 && frac < p; p /= 10) {
            out.append('0');
        }
        return out.append(frac);
    }

    /** Formatter writes a minus for every negative value, -0.0 included. */
    private static void sign(StringBuilder out, double x) {
        if (x < 0 || Double.doubleToRawLongBits(x) == Long.MIN_VALUE) {
            out.append('-');
        }
    }

    private static StringBuilder special(StringBuilder out, double x) {
        return out.append(Double.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
    }
}
