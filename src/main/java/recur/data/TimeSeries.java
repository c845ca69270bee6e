package recur.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The columns a model reads from a CSV as a matrix of N steps by C channels, in the original units:
 * one channel per numeric column and one 0/1 channel per level of a categorical column (one-hot).
 * Channel 0 is always the target. Missing cells are handled by the {@link MissingPolicy}; a cell that
 * is neither a number nor missing is an error unless its column is categorical.
 */
public final class TimeSeries {

    /** One channel: a numeric column ({@code level == null}) or one level of a categorical column. */
    public record Channel(String name, String column, String level) {
        public boolean numeric() {
            return level == null;
        }
    }

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String source;
    private final List<Channel> channels;
    private final double[] values;   // (N, C)
    private final int[] records;     // (N) the CSV record each step came from
    private final Map<String, List<String>> levels;

    private TimeSeries(String source, List<Channel> channels, double[] values, int[] records,
                       Map<String, List<String>> levels) {
        this.source = source;
        this.channels = List.copyOf(channels);
        this.values = values;
        this.records = records;
        this.levels = levels;
    }

    /**
     * Reads {@code columns} from {@code table}. {@code knownLevels} are the levels of each categorical
     * column a model was trained with (a level not among them is an error); null learns them from the
     * data (sorted).
     */
    public static TimeSeries read(CsvTable table, SeriesColumns columns, Map<String, List<String>> knownLevels) {
        List<String> names = columns.all();
        int n = table.size();
        int k = names.size();
        int[] index = new int[k];
        for (int j = 0; j < k; j++) {
            String option = j == 0 ? "--target" : columns.categorical().contains(names.get(j)) ? "--categorical"
                    : "--features";
            index[j] = table.column(names.get(j), option);
        }
        // Parse: numeric cells to numbers (NaN = missing), categorical cells kept as text (null = missing).
        double[][] numbers = new double[k][];
        String[][] labels = new String[k][];
        for (int j = 0; j < k; j++) {
            boolean categorical = columns.categorical().contains(names.get(j));
            if (categorical) {
                labels[j] = new String[n];
            } else {
                numbers[j] = new double[n];
            }
            for (int r = 0; r < n; r++) {
                String cell = table.cell(r, index[j]);
                if (MissingPolicy.isMissing(cell)) {
                    if (columns.missing() == MissingPolicy.ERROR) {
                        throw new IllegalArgumentException(table.source() + ": " + table.where(r) + ", column '"
                                + names.get(j) + "': missing value" + (cell.isBlank() ? "" : " '" + cell.strip() + "'")
                                + "; choose --missing drop, ffill or interpolate");
                    }
                    if (!categorical) {
                        numbers[j][r] = Double.NaN;
                    }
                } else if (categorical) {
                    labels[j][r] = cell.strip();
                } else {
                    numbers[j][r] = number(table, r, names.get(j), j == 0, cell);
                }
            }
        }
        // Missing cells.
        int[] keep = allRows(n);
        if (columns.missing() == MissingPolicy.DROP) {
            keep = completeRows(numbers, labels, n);
            if (keep.length == 0) {
                throw new IllegalArgumentException(table.source() + ": every row has a missing value in "
                        + String.join(", ", names) + "; --missing drop leaves nothing (try ffill or interpolate)");
            }
        } else if (columns.missing() != MissingPolicy.ERROR) {
            for (int j = 0; j < k; j++) {
                requireSomeValue(table.source(), names.get(j), numbers[j], labels[j]);
                if (labels[j] != null) {
                    forwardFill(labels[j]);
                } else if (columns.missing() == MissingPolicy.FFILL) {
                    forwardFill(numbers[j]);
                } else {
                    interpolate(numbers[j]);
                }
            }
        }
        // Levels and channels.
        Map<String, List<String>> levels = new LinkedHashMap<>();
        List<Channel> channels = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            String name = names.get(j);
            if (labels[j] == null) {
                channels.add(new Channel(name, name, null));
                continue;
            }
            List<String> known = knownLevels == null ? null : knownLevels.get(name);
            if (known == null) {
                if (knownLevels != null) {
                    throw new IllegalArgumentException("column '" + name + "' is categorical here but the model "
                            + "has no levels for it");
                }
                TreeSet<String> seen = new TreeSet<>();
                for (int r : keep) {
                    seen.add(labels[j][r]);
                }
                known = List.copyOf(seen);
            }
            levels.put(name, known);
            for (String level : known) {
                channels.add(new Channel(name + "=" + level, name, level));
            }
        }
        int c = channels.size();
        double[] values = new double[Math.multiplyExact(keep.length, c)];
        for (int i = 0; i < keep.length; i++) {
            int r = keep[i];
            int ch = 0;
            for (int j = 0; j < k; j++) {
                if (labels[j] == null) {
                    values[i * c + ch++] = numbers[j][r];
                } else {
                    List<String> known = levels.get(names.get(j));
                    int level = known.indexOf(labels[j][r]);
                    if (level < 0) {
                        throw new IllegalArgumentException(table.source() + ": " + table.where(r) + ", column '"
                                + names.get(j) + "': category '" + labels[j][r] + "' was not seen in training (known: "
                                + String.join(", ", known) + ")");
                    }
                    values[i * c + ch + level] = 1;
                    ch += known.size();
                }
            }
        }
        return new TimeSeries(table.source(), channels, values, keep, levels);
    }

    private static double number(CsvTable table, int r, String column, boolean target, String cell) {
        String s = cell.strip();
        if (NUMBER.matcher(s).matches()) {
            double v = Double.parseDouble(s);
            if (Double.isFinite(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException(table.source() + ": " + table.where(r) + ", column '" + column + "': '"
                + cell + "' is not a number" + (target ? "; the target must be numeric"
                : "; if the column holds categories, declare it with --categorical " + column));
    }

    private static int[] allRows(int n) {
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return rows;
    }

    private static int[] completeRows(double[][] numbers, String[][] labels, int n) {
        return java.util.stream.IntStream.range(0, n).filter(r -> {
            for (int j = 0; j < numbers.length; j++) {
                if (numbers[j] != null ? Double.isNaN(numbers[j][r]) : labels[j][r] == null) {
                    return false;
                }
            }
            return true;
        }).toArray();
    }

    private static void requireSomeValue(String source, String column, double[] numbers, String[] labels) {
        int n = numbers != null ? numbers.length : labels.length;
        for (int r = 0; r < n; r++) {
            if (numbers != null ? !Double.isNaN(numbers[r]) : labels[r] != null) {
                return;
            }
        }
        throw new IllegalArgumentException(source + ": column '" + column + "' has no values at all, only missing "
                + "ones; leave it out");
    }

    /** Each gap takes the value above it; a leading gap the first value. */
    static void forwardFill(double[] v) {
        double last = Double.NaN;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                last = x; // the first value, for a leading gap
                break;
            }
        }
        for (int i = 0; i < v.length; i++) {
            if (Double.isNaN(v[i])) {
                v[i] = last;
            } else {
                last = v[i];
            }
        }
    }

    static void forwardFill(String[] v) {
        String last = null;
        for (String x : v) {
            if (x != null) {
                last = x;
                break;
            }
        }
        for (int i = 0; i < v.length; i++) {
            if (v[i] == null) {
                v[i] = last;
            } else {
                last = v[i];
            }
        }
    }

    /** Linear interpolation between the nearest values on either side; the nearest value at the ends. */
    static void interpolate(double[] v) {
        int prev = -1;
        for (int i = 0; i <= v.length; i++) {
            if (i < v.length && Double.isNaN(v[i])) {
                continue;
            }
            // Fill the gap (prev, i).
            for (int g = prev + 1; g < i; g++) {
                if (prev < 0) {
                    v[g] = v[i];
                } else if (i == v.length) {
                    v[g] = v[prev];
                } else {
                    double f = (double) (g - prev) / (i - prev);
                    v[g] = v[prev] + f * (v[i] - v[prev]);
                }
            }
            prev = i;
        }
    }

    public String source() {
        return source;
    }

    public List<Channel> channels() {
        return channels;
    }

    /** C: channels (one per numeric column, one per categorical level). */
    public int width() {
        return channels.size();
    }

    /** N: steps. */
    public int length() {
        return records.length;
    }

    /** Value of channel c at step t, original units. */
    public double value(int t, int c) {
        return values[t * channels.size() + c];
    }

    /** The target (channel 0) at every step. */
    public double[] target() {
        double[] y = new double[length()];
        for (int t = 0; t < y.length; t++) {
            y[t] = value(t, 0);
        }
        return y;
    }

    /** (N, C) values, original units (a copy). */
    public double[] values() {
        return values.clone();
    }

    /** The CSV record (0-based data row) step t came from. */
    public int record(int t) {
        return records[t];
    }

    /** Levels of each categorical column, in one-hot order. */
    public Map<String, List<String>> levels() {
        return levels;
    }
}
