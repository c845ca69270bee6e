package recur.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import recur.data.TimeSeries;

/**
 * One-step-ahead accuracy of a time-series model next to two baselines, in the target's units: the
 * model's prediction of x_t made after reading x_0..x_{t-1}, persistence x_t = x_{t-1}, and seasonal
 * naive x_t = x_{t-s}. All three are scored on the same steps t = max(1, s, first)..N-1 (the model's
 * state is warmed over the steps before); when the series is shorter than a season, seasonal naive is
 * left out and the scored steps start at max(1, first).
 */
final class SeriesEval {
    private SeriesEval() {
    }

    /** Scores; seasonal fields are NaN when the series is too short for the season. */
    record Result(int count, int first, int season, double mae, double rmse, double persistenceMae,
                  double persistenceRmse, double seasonalMae, double seasonalRmse) {

        boolean hasSeasonal() {
            return !Double.isNaN(seasonalMae);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mae", mae);
            m.put("rmse", rmse);
            m.put("persistence_mae", persistenceMae);
            m.put("persistence_rmse", persistenceRmse);
            m.put("seasonal_naive_mae", Progress.finite(seasonalMae));
            m.put("seasonal_naive_rmse", Progress.finite(seasonalRmse));
            m.put("season", season);
            m.put("predictions", count);
            m.put("first_step", first);
            return m;
        }
    }

    /**
     * Scores {@code model} on {@code s}, counting steps from {@code first} (0-based; earlier steps only
     * warm the state) with season {@code season}.
     */
    static Result evaluate(SeriesModel model, TimeSeries s, int first, int season) {
        int n = s.length();
        boolean seasonal = season >= 1 && Math.max(Math.max(1, first), season) < n;
        int start = seasonal ? Math.max(Math.max(1, first), season) : Math.max(1, first);
        if (start >= n) {
            throw new UserError(s.source() + " has " + n + " steps; nothing is left to score from step " + (start + 1)
                    + " (give more rows or a smaller --holdout fraction)");
        }
        float[] out = model.oneStep(model.schema().normalizer().apply(s), n);
        int c = s.width();
        double[] y = s.target();
        double ae = 0, se = 0, pae = 0, pse = 0, sae = 0, sse = 0;
        for (int t = start; t < n; t++) {
            double predicted = model.schema().normalizer().restore(0, out[(t - 1) * c]);
            double e = predicted - y[t];
            double p = y[t - 1] - y[t];
            ae += Math.abs(e);
            se += e * e;
            pae += Math.abs(p);
            pse += p * p;
            if (seasonal) {
                double q = y[t - season] - y[t];
                sae += Math.abs(q);
                sse += q * q;
            }
        }
        int count = n - start;
        return new Result(count, start, season, ae / count, Math.sqrt(se / count), pae / count, Math.sqrt(pse / count),
                seasonal ? sae / count : Double.NaN, seasonal ? Math.sqrt(sse / count) : Double.NaN);
    }

    /** The first scored step for a held-out fraction of the series (0: all of it). */
    static int firstHeldOut(int n, double holdout) {
        return holdout > 0 ? n - heldOutRows(n, holdout) : 0;
    }

    /** Steps in the held-out tail: round(fraction * n). */
    static int heldOutRows(int n, double holdout) {
        return (int) Math.round(holdout * n);
    }

    static void checkHoldout(double holdout) {
        if (!(holdout >= 0 && holdout < 1)) {
            throw new UserError("--holdout must be a fraction in [0, 1), e.g. 0.2 for the last fifth, got " + holdout);
        }
    }

    /** The human-readable table. */
    static void print(PrintStream o, Result r, String target, String seasonReason) {
        o.println(String.format(Locale.ROOT, "%-16s MAE %10.4f   RMSE %10.4f", "model", r.mae(), r.rmse()));
        o.println(String.format(Locale.ROOT, "%-16s MAE %10.4f   RMSE %10.4f   (%s tomorrow = today)", "persistence",
                r.persistenceMae(), r.persistenceRmse(), target));
        if (r.hasSeasonal()) {
            o.println(String.format(Locale.ROOT, "%-16s MAE %10.4f   RMSE %10.4f   (season %d: %s)", "seasonal naive",
                    r.seasonalMae(), r.seasonalRmse(), r.season(), seasonReason));
        } else {
            o.println("seasonal naive   not scored: the series is shorter than its season (" + r.season() + " steps)");
        }
        double gain = 1 - r.mae() / r.persistenceMae();
        o.println(String.format(Locale.ROOT, "the model's MAE is %.1f%% %s persistence's", Math.abs(gain) * 100,
                gain >= 0 ? "below" : "above"));
    }

    /** {@code recur eval --csv}: prints the table and, with --json, one JSON line last. */
    static int run(Main main, Path modelPath, Path csv, double holdout, Integer season, boolean json) {
        checkHoldout(holdout);
        if (season != null && season < 1) {
            throw new UserError("--season must be at least 1 (1 makes seasonal naive the same as persistence), got "
                    + season);
        }
        SeriesModel model = SeriesModel.load(modelPath);
        TimeSeries s = model.read(csv);
        int seasonUsed = season != null ? season : model.schema().season().period();
        String reason = season != null ? "--season" : model.schema().season().reason() + ", found at training";
        long t0 = System.nanoTime();
        Result r = evaluate(model, s, firstHeldOut(s.length(), holdout), seasonUsed);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintStream o = main.context.out();
        String target = model.schema().columns().target();
        o.println(String.format(Locale.ROOT, "%s on %s: %,d one-step forecasts of '%s' (steps %d..%d of %d)",
                modelPath, csv, r.count(), target, r.first() + 1, s.length(), s.length()));
        print(o, r, target, reason);
        if (json) {
            Map<String, Object> m = r.toMap();
            m.put("target", target);
            m.put("steps", s.length());
            m.put("model", modelPath.toString());
            m.put("csv", csv.toString());
            m.put("seconds", seconds);
            o.println(recur.io.Json.write(m));
        }
        return 0;
    }
}
