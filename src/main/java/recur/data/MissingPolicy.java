package recur.data;

import java.util.Locale;

/**
 * What a time series does with missing cells ({@code NA}, {@code N/A}, {@code NaN}, {@code null} in any
 * case, or an empty field) in the columns it reads.
 */
public enum MissingPolicy {
    /** A missing cell is an error naming its row and column. */
    ERROR,
    /** Rows with a missing cell are left out (the steps before and after become neighbours). */
    DROP,
    /** A missing cell takes the last value above it; leading gaps take the first value of the column. */
    FFILL,
    /**
     * Numeric cells are interpolated linearly between the nearest values above and below (the nearest
     * value at either end); categorical cells are filled as by {@link #FFILL}.
     */
    INTERPOLATE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MissingPolicy parse(String s) {
        for (MissingPolicy p : values()) {
            if (p.id().equals(s.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("--missing must be drop, ffill or interpolate (or error, the default), got '"
                + s + "'");
    }

    static boolean isMissing(String cell) {
        String s = cell.strip();
        return s.isEmpty() || s.equalsIgnoreCase("NA") || s.equalsIgnoreCase("N/A") || s.equalsIgnoreCase("NaN")
                || s.equalsIgnoreCase("null");
    }
}
