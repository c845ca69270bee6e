package recur.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import recur.io.Json;

/**
 * What a time-series model must know about its data besides its weights, stored as JSON under the
 * model file's metadata key {@link #KEY}: the columns it reads, the categorical levels, the missing
 * policy, the channel order with the z-score statistics of the training steps, the season found at
 * training, the date column if any, and how many steps it was trained on.
 *
 * <p>The network reads the C normalised channels at step t and predicts all C at step t+1 (channel 0
 * is the target), so {@code input_size == output == C}.
 */
public record SeriesSchema(SeriesColumns columns, Map<String, List<String>> levels, List<String> channels,
                           Normalizer normalizer, Seasonality season, TimeAxis axis, int trainRows, double holdout) {
    public static final String KEY = "time_series";
    static final int VERSION = 1;

    public SeriesSchema {
        levels = levels == null ? Map.of() : Map.copyOf(levels);
        channels = List.copyOf(channels);
        if (channels.size() != normalizer.width()) {
            throw new IllegalArgumentException(channels.size() + " channels but statistics for " + normalizer.width());
        }
    }

    /** C, the network's input and output width. */
    public int width() {
        return channels.size();
    }

    /** Reads a CSV as this model was trained to (its columns, policy and levels), checking the channels match. */
    public TimeSeries read(CsvTable table) {
        TimeSeries s = TimeSeries.read(table, columns, levels);
        List<String> names = s.channels().stream().map(TimeSeries.Channel::name).toList();
        if (!names.equals(channels)) {
            throw new IllegalArgumentException(table.source() + " gives the channels " + names + ", the model was "
                    + "trained on " + channels);
        }
        return s;
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        m.put("target", columns.target());
        m.put("features", columns.features());
        m.put("categorical", columns.categorical());
        m.put("missing", columns.missing().id());
        m.put("levels", new LinkedHashMap<>(levels));
        m.put("channels", channels);
        m.put("mean", toList(normalizer.mean()));
        m.put("std", toList(normalizer.std()));
        m.put("season", season.period());
        m.put("season_reason", season.reason());
        if (axis != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("column", axis.column());
            a.put("unit", axis.unit().name().toLowerCase(java.util.Locale.ROOT));
            a.put("amount", axis.amount());
            m.put("time_axis", a);
        }
        m.put("train_rows", trainRows);
        m.put("holdout", holdout);
        return Json.write(m);
    }

    /** Parses {@link #toJson()}'s form; errors name {@code file}. */
    public static SeriesSchema fromJson(String json, String file) {
        try {
            Map<String, Object> m = Json.parseObject(json);
            if (((Number) m.get("version")).intValue() != VERSION) {
                throw new IllegalArgumentException("version " + m.get("version") + " (this recur reads " + VERSION + ")");
            }
            SeriesColumns columns = new SeriesColumns((String) m.get("target"), strings(m.get("features")),
                    strings(m.get("categorical")), MissingPolicy.parse((String) m.get("missing")));
            Map<String, List<String>> levels = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m.get("levels")).entrySet()) {
                levels.put(e.getKey(), strings(e.getValue()));
            }
            Normalizer normalizer = new Normalizer(doubles(m.get("mean")), doubles(m.get("std")));
            Seasonality season = new Seasonality(((Number) m.get("season")).intValue(), (String) m.get("season_reason"));
            TimeAxis axis = null;
            if (m.get("time_axis") instanceof Map<?, ?> a) {
                axis = new TimeAxis((String) a.get("column"),
                        TimeAxis.Unit.valueOf(((String) a.get("unit")).toUpperCase(java.util.Locale.ROOT)),
                        ((Number) a.get("amount")).intValue());
            }
            return new SeriesSchema(columns, levels, strings(m.get("channels")), normalizer, season, axis,
                    ((Number) m.get("train_rows")).intValue(), ((Number) m.get("holdout")).doubleValue());
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IllegalArgumentException("model file " + file + ": the time-series metadata ('" + KEY
                    + "') is damaged: " + e.getMessage(), e);
        }
    }

    private static List<Object> toList(double[] v) {
        List<Object> l = new ArrayList<>(v.length);
        for (double d : v) {
            l.add(d);
        }
        return l;
    }

    private static List<String> strings(Object o) {
        List<String> l = new ArrayList<>();
        for (Object x : (List<?>) o) {
            l.add((String) x);
        }
        return l;
    }

    private static double[] doubles(Object o) {
        List<?> l = (List<?>) o;
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((Number) l.get(i)).doubleValue();
        }
        return d;
    }
}
