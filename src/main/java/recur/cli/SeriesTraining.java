package recur.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import recur.io.ModelFile;
import recur.data.CsvTable;
import recur.data.MissingPolicy;
import recur.data.Normalizer;
import recur.data.Seasonality;
import recur.data.SeriesColumns;
import recur.data.SeriesSchema;
import recur.data.TimeAxis;
import recur.data.TimeSeries;
import recur.dist.ShardData;
import recur.io.Json;
import recur.model.CellType;
import recur.model.Initializer;
import recur.model.ModelSpec;
import recur.model.Task;
import recur.train.TrainConfig;

/**
 * {@code recur train --csv FILE --target COLUMN}: a regression model that reads the normalised
 * channels of step t (the target first, then the features, categorical ones one-hot) and predicts all
 * of them at step t+1, trained with truncated BPTT over B contiguous streams of the series
 * ({@link recur.data.SeriesWindows}) per worker, through the distributed engine like every other
 * {@code train} ({@link TrainCommand#runTraining}: local workers, or a cluster). The last {@code --holdout} fraction of the steps is not trained on and is
 * scored at the end against the persistence and seasonal-naive forecasts.
 */
final class SeriesTraining {
    private final TrainCommand cmd;
    private final TrainConfig c;

    SeriesTraining(TrainCommand cmd, TrainConfig c) {
        this.cmd = cmd;
        this.c = c;
    }

    /** The CSV settings as a {@link SeriesColumns}; errors are one line. */
    static SeriesColumns columns(TrainConfig c) {
        if (c.target == null) {
            throw new UserError("--csv needs --target COLUMN: the column to forecast");
        }
        MissingPolicy missing;
        try {
            missing = MissingPolicy.parse(c.missing);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return new SeriesColumns(c.target, c.features, c.categorical, missing);
    }

    int run() {
        if (c.csv == null) {
            throw new UserError("--target, --features and --categorical need --csv FILE (the time series to train on)");
        }
        if (c.text != null) {
            throw new UserError("--csv trains a time-series model; leave out --text (or train on the text without --csv)");
        }
        SeriesEval.checkHoldout(c.holdout);
        if (c.season != null && c.season < 1) {
            throw new UserError("--season must be at least 1, got " + c.season);
        }
        SeriesColumns columns = columns(c);
        Path csv = c.csv;
        CsvTable table = SeriesModel.table(csv);
        TimeSeries series = TimeSeries.read(table, columns, null);
        int n = series.length();
        int trainRows = n - SeriesEval.heldOutRows(n, c.holdout);
        checkStreams(n, trainRows);

        int[] records = new int[n];
        java.util.Arrays.setAll(records, series::record);
        TimeAxis axis = TimeAxis.detect(table, columns.all(), records);
        double[] y = java.util.Arrays.copyOf(series.target(), trainRows);
        Seasonality season = c.season != null ? new Seasonality(c.season, "--season")
                : Seasonality.of(axis, y);
        Normalizer normalizer = Normalizer.fit(series, trainRows);
        List<String> channels = series.channels().stream().map(TimeSeries.Channel::name).toList();
        SeriesSchema schema = new SeriesSchema(columns, series.levels(), channels, normalizer, season, axis,
                trainRows, c.holdout);
        int width = schema.width();
        float[] z = normalizer.apply(series);
        ShardData data = new ShardData.Series(java.util.Arrays.copyOf(z, trainRows * width), width);

        ModelSpec spec = ModelSpec.real(CellType.parse(c.cell), c.layers, c.hidden, width, Task.REGRESSION, width,
                c.learnedH0);
        float[] params = Initializer.initialize(spec, c.seed, c.forgetBiasOne);
        RunDirectory.create(c.out);
        Map<String, Object> config = new LinkedHashMap<>(c.toMap());
        config.put("csv", csv.toAbsolutePath().normalize().toString());
        config.put("target", columns.target());
        config.put("features", columns.features());
        config.put("categorical", columns.categorical());
        config.put("missing", columns.missing().id());
        config.put("holdout", c.holdout);
        config.put("season", season.period());
        // the engine writes config.json (with these keys), metrics.csv, the model and checkpoint.pb

        String what = String.format(Locale.ROOT, "%s %s (%d layer%s, hidden %d, %,d parameters)",
                spec.cell() == CellType.GRU ? "a" : "an", spec.cell().id.toUpperCase(Locale.ROOT), spec.layers(),
                spec.layers() > 1 ? "s" : "", spec.hidden(), params.length);
        String on = String.format(Locale.ROOT, "%s (%,d steps, %d channel%s: %s)", csv, n, width, width > 1 ? "s" : "",
                String.join(", ", channels));
        Progress.Mode mode = cmd.jsonLines ? Progress.Mode.JSON : cmd.quiet ? Progress.Mode.QUIET
                : cmd.main.context.terminal() ? Progress.Mode.LIVE : Progress.Mode.PLAIN;
        var o = cmd.main.context.out();
        if (mode == Progress.Mode.JSON) {
            Map<String, Object> start = new LinkedHashMap<>();
            start.put("event", "start");
            start.put("parameters", params.length);
            start.put("steps_in_data", n);
            start.put("train_steps_in_data", trainRows);
            start.put("channels", channels);
            start.put("run_dir", c.out.toString());
            start.put("config", config);
            o.println(Json.write(start));
        } else if (mode != Progress.Mode.QUIET) {
            o.println("training " + what + " to forecast '" + columns.target() + "' on " + on);
            o.println(String.format(Locale.ROOT, "%d steps of %s x %d time steps over the first %,d rows%s; "
                    + "%s lr %s (%s); season %d (%s)", c.steps, TrainCommand.streams(c), c.window, trainRows,
                    trainRows < n ? " (the last " + (n - trainRows) + " are held out)" : "", c.optimizer, c.lr,
                    c.schedule, season.period(), season.reason()));
            o.println("run directory: " + c.out);
        }

        Progress progress = new Progress(o, mode, c.steps, c.logEvery);
        StopSignal stop = cmd.main.context.stop();
        stop.begin();
        try {
            Map<String, String> meta = new LinkedHashMap<>(); // the engine adds trained_steps and train_loss
            meta.put("recur_version", Version.number());
            meta.put("seed", Long.toString(c.seed));
            meta.put("data", csv.toString());
            meta.put("optimizer", c.optimizer);
            meta.put("lr", Double.toString(c.lr));
            meta.put("schedule", c.schedule);
            meta.put("window", Integer.toString(c.window));
            meta.put("batch", Integer.toString(c.batch));
            meta.put("workers", Integer.toString(c.cluster ? c.expectWorkers : c.workers));
            meta.put(SeriesSchema.KEY, schema.toJson());
            // With a hold-out, it is scored every --eval-every versions (default: a tenth of the run) and
            // the best model so far is kept as best.safetensors, as for text.
            long every = c.evalEvery > 0 ? c.evalEvery : Math.max(1, c.steps / 10);
            Path bestPath = c.out.resolve("best.safetensors");
            double[] best = {Double.POSITIVE_INFINITY};
            TrainingListener listener = st -> {
                if (trainRows < n && st.step() % every == 0) {
                    SeriesEval.Result r = SeriesEval.evaluate(new SeriesModel(bestPath, spec, params, schema), series,
                            trainRows, schema.season().period());
                    progress.validation(r.mae());
                    if (r.mae() < best[0]) {
                        best[0] = r.mae();
                        Map<String, String> bm = new LinkedHashMap<>(meta);
                        bm.put("trained_steps", Long.toString(st.step()));
                        bm.put("val_mae", String.format(Locale.ROOT, "%.6f", r.mae()));
                        ModelFile.save(bestPath, spec, params.clone(), bm);
                    }
                    if (mode == Progress.Mode.PLAIN) {
                        o.println(String.format(Locale.ROOT, "step %d: hold-out MAE %.4f%s", st.step(), r.mae(),
                                r.mae() == best[0] ? ", best so far (saved " + bestPath.getFileName() + ")" : ""));
                    }
                }
                progress.onStep(st);
            };
            TrainingOutcome outcome;
            try {
                outcome = cmd.runTraining(new TrainingJob(c, spec, params, data), config, meta, listener, stop);
            } finally {
                progress.finish();
            }
            Path model = c.out.resolve(RunDirectory.MODEL);
            LossPlot.write(c.out); // loss.svg, as for text models
            summary(outcome, spec, progress, what, model, schema, series, trainRows);
        } finally {
            stop.finished();
        }
        return 0;
    }

    private void summary(TrainingOutcome outcome, ModelSpec spec, Progress progress, String what, Path model,
                         SeriesSchema schema, TimeSeries series, int trainRows) {
        var o = cmd.main.context.out();
        SeriesEval.Result held = null;
        if (trainRows < series.length()) {
            SeriesModel m = new SeriesModel(model, spec, outcome.params(), schema);
            held = SeriesEval.evaluate(m, series, trainRows, schema.season().period());
        }
        double loss = progress.smoothedLoss();
        if (cmd.jsonLines) {
            Map<String, Object> done = outcome.doneEvent(loss);
            done.put("elapsed_s", progress.elapsedSeconds());
            if (held != null) {
                done.put("holdout", held.toMap());
            }
            done.put("model", model.toString());
            done.put("run_dir", c.out.toString());
            if (outcome.stopped()) {
                done.put("resume", TrainCommand.resumeCommand(c));
            }
            o.println(Json.write(done));
            return;
        }
        if (outcome.stopped()) {
            o.println(TrainCommand.stopped(c, outcome));
        }
        o.println("trained " + what + " for " + outcome.steps() + " steps in " + Progress.duration(progress.elapsedSeconds())
                + " (" + TrainCommand.how(c) + ")");
        o.println(String.format(Locale.ROOT, "final training loss %.4f (mean squared error of the normalised next step, "
                + "smoothed)", loss));
        if (outcome.skippedSteps() > 0) {
            o.println(outcome.skippedSteps() + " steps had a non-finite gradient and were skipped; "
                    + "try a lower --lr or --clip-norm");
        }
        if (held != null) {
            o.println("held-out last " + held.count() + " steps, one step ahead:");
            SeriesEval.print(o, held, schema.columns().target(), schema.season().reason());
        }
        o.println("model: " + model + " (settings in " + c.out.resolve("config.json") + ", per-step metrics in "
                + c.out.resolve("metrics.csv") + ")");
        String holdout = c.holdout > 0 ? " --holdout " + c.holdout : "";
        o.println("next: scripts/recur eval --model " + model + " --csv " + c.csv + holdout);
        o.println("      scripts/recur forecast --model " + model + " --csv " + c.csv + " --horizon 30");
    }

    /** Every stream must hold at least one full window of the training steps. */
    private void checkStreams(int n, int trainRows) {
        String source = c.csv + (trainRows < n ? " without its held-out tail" : "");
        long pairs = trainRows - 1L;
        if (pairs < c.batch) {
            throw new UserError(source + " has " + trainRows + " rows: too few for --batch " + c.batch
                    + " streams (each needs at least 2 rows); use --batch " + Math.max(1, pairs) + " or less, or more data");
        }
        long length = pairs / c.batch;
        if (c.window > length) {
            throw new UserError("--window " + c.window + " is longer than each stream: " + source + " has " + trainRows
                    + " rows, cut into " + c.batch + " streams of " + length + " steps; use --window " + length
                    + " or less, a smaller --batch, or more data");
        }
        // Every worker (shard) has --batch streams, each of at least one window.
        long fit = pairs / ((long) c.batch * c.window);
        int shards = TrainCommand.resolveShards(c, fit);
        if (shards > fit) {
            String option = TrainCommand.shardOption(c);
            throw new UserError(option + shards + " needs " + shards + " x " + c.batch + " streams of at least "
                    + c.window + " steps, but " + source + " has " + trainRows + " rows: use " + option + fit
                    + " or less, a smaller --batch or --window, or more data");
        }
    }
}
