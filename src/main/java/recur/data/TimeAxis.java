package recur.data;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

/**
 * A column of ISO dates that labels the steps of a series ({@code 1981-01-31} or {@code 1749-01}), its
 * usual spacing (the median gap) and what that spacing says about the season: a year of daily data is
 * 365 steps, of weekly 52, of monthly 12, of quarterly 4. Forecasts continue the labels.
 */
public record TimeAxis(String column, Unit unit, int amount) {

    /** The spacing between steps: days (daily, weekly) or months (monthly, quarterly). */
    public enum Unit { DAYS, MONTHS }

    /**
     * The first column not in {@code exclude} whose cells are all ISO dates (or year-months), or null.
     * {@code records} are the CSV records the series kept.
     */
    public static TimeAxis detect(CsvTable table, List<String> exclude, int[] records) {
        if (records.length < 3) {
            return null;
        }
        for (int j = 0; j < table.header().size(); j++) {
            String name = table.header().get(j);
            if (exclude.contains(name)) {
                continue;
            }
            TimeAxis axis = detect(table, j, records);
            if (axis != null) {
                return axis;
            }
        }
        return null;
    }

    private static TimeAxis detect(CsvTable table, int column, int[] records) {
        String first = table.cell(records[0], column).strip();
        Unit unit = first.length() == 7 ? Unit.MONTHS : Unit.DAYS;
        long[] gaps = new long[records.length - 1];
        LocalDate prev = null;
        for (int i = 0; i < records.length; i++) {
            LocalDate d = parse(table.cell(records[i], column).strip(), unit);
            if (d == null) {
                return null;
            }
            if (prev != null) {
                gaps[i - 1] = unit == Unit.MONTHS ? ChronoUnit.MONTHS.between(prev, d) : ChronoUnit.DAYS.between(prev, d);
                if (gaps[i - 1] <= 0) {
                    return null; // not increasing: not a time axis
                }
            }
            prev = d;
        }
        Arrays.sort(gaps);
        long median = gaps[gaps.length / 2];
        return median > Integer.MAX_VALUE ? null : new TimeAxis(table.header().get(column), unit, (int) median);
    }

    private static LocalDate parse(String s, Unit unit) {
        try {
            return unit == Unit.MONTHS ? YearMonth.parse(s).atDay(1) : LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Steps in a year for daily, weekly, monthly and quarterly spacing; 0 for others. */
    public int stepsPerYear() {
        return switch (unit) {
            case DAYS -> amount == 1 ? 365 : amount == 7 ? 52 : 0;
            case MONTHS -> amount == 1 ? 12 : amount == 3 ? 4 : 0;
        };
    }

    /** "daily", "monthly", or "every 3 days". */
    public String describe() {
        return switch (unit) {
            case DAYS -> amount == 1 ? "daily" : amount == 7 ? "weekly" : "every " + amount + " days";
            case MONTHS -> amount == 1 ? "monthly" : amount == 3 ? "quarterly" : "every " + amount + " months";
        };
    }

    /** The label {@code k} steps after {@code last}, in the same format; null if {@code last} is not a date. */
    public String after(String last, int k) {
        LocalDate d = parse(last.strip(), unit);
        if (d == null) {
            return null;
        }
        return switch (unit) {
            case DAYS -> d.plusDays((long) k * amount).toString();
            case MONTHS -> YearMonth.from(d).plusMonths((long) k * amount).toString();
        };
    }
}
